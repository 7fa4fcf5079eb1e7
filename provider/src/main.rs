//! `terraform-provider-todo`: started by Terraform, never by hand.

use std::process::ExitCode;
use std::sync::Arc;

use tfplugin::ServeError;
use todo_provider::TodoProvider;

fn main() -> ExitCode {
    // `terraform-provider-todo iam-policy ...`: the least-privilege IAM
    // policy of the identity that runs the provider (see the docs' guide).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("iam-policy") {
        return ExitCode::from(todo_provider::cloud::aws::permissions::cli(&args[1..]));
    }
    // Check the launch before anything else, so a user who runs the binary
    // by hand gets a sentence rather than a handshake line.
    if let Err(e) = tfplugin::plugin::check_launched_by_terraform() {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    tfplugin::logging::init("provider.terraform-provider-todo");
    tfplugin::logging::install_panic_hook();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-todo: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result: Result<(), ServeError> =
        runtime.block_on(tfplugin::serve(Arc::new(TodoProvider::new())));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("terraform-provider-todo: {e}");
            ExitCode::from(1)
        }
    }
}
