# The state lives in S3, locked by a lock object next to it (S3 conditional
# writes; no DynamoDB table). Everything else is per environment:
#
#   terraform init -backend-config=backends/prod.s3.tfbackend
#   terraform apply -var-file=prod.tfvars
#
# backends/local.s3.tfbackend points at the emulator (../scripts/up creates
# its bucket).
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
