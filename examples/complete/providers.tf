# The same configuration runs against AWS (endpoint_url = null: the standard
# credential chain, STS checks the credentials) and against a local emulator
# such as moto (endpoint_url set: path-style S3, no credential check).
provider "todo" {
  region                      = var.region
  endpoint_url                = var.endpoint_url
  s3_use_path_style           = var.endpoint_url != null
  skip_credentials_validation = var.endpoint_url != null

  default_tags {
    tags = { managed_by = "terraform", example = "complete" }
  }
}
