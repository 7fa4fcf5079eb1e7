# Another configuration reads the stack by name: no access to its state, no
# way to change it.
data "todo_cloud_stack" "prod" {
  name = "todo-prod"
}

output "vpc_id" {
  value = data.todo_cloud_stack.prod.network.vpc_id
}

output "cluster_endpoint" {
  value = data.todo_cloud_stack.prod.cluster.endpoint
}
