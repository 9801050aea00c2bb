use std::process::ExitCode;

fn main() -> ExitCode {
    kubectl_keycloak::run(std::env::args_os())
}
