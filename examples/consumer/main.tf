# An application's configuration, in another repository: it reads the stack
# it deploys into by name (no access to the stack's state, no way to change
# it) and derives what the application needs. Here the results are outputs;
# a real application would feed them to the kubernetes/helm providers, IAM
# roles for its service accounts, and its own configuration.

module "stack" {
  source = "../../modules/todo-stack-reader"

  name = var.stack_name
}

locals {
  # The trust policy of an IAM role for the application's Kubernetes service
  # account (IRSA): only that service account of the stack's cluster may
  # assume it. Null when the stack has no cluster.
  irsa_trust_policy = module.stack.oidc_provider_arn == null ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = module.stack.oidc_provider_arn }
      Condition = {
        StringEquals = {
          "${module.stack.oidc_provider}:sub" = "system:serviceaccount:${var.service_account_namespace}:${var.service_account_name}"
          "${module.stack.oidc_provider}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })

  # What the application reads its secrets and data with: the master
  # credentials' secret (the password is never an output), the bucket and
  # its objects, and the key that encrypts them.
  app_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      module.stack.db_master_secret_arn == null ? [] : [{
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [module.stack.db_master_secret_arn]
      }],
      module.stack.bucket_arn == null ? [] : [{
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        Resource = [module.stack.bucket_arn, "${module.stack.bucket_arn}/*"]
      }],
      [{
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [module.stack.kms_key_arn]
      }],
    )
  })
}
