# The S3 bucket for backups and static assets: encrypted with the stack's
# key, versioned, public access blocked, TLS only.
locals {
  storage = {
    bucket_name   = var.bucket_name
    force_destroy = var.bucket_force_destroy
  }
}
