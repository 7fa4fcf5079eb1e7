# The local emulator (moto on the port scripts/up uses), and the stack
# scripts/up applies there from terraform/ with local.tfvars. After applying
# ../complete with its emulator.tfvars, use -var stack_name=todo-example-complete.
endpoint_url = "http://127.0.0.1:5077"
stack_name   = "todo-local"
