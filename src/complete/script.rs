//! `completion SHELL`: a shell completion script for `kubectl-keycloak`, or
//! (`completion kubectl`) the one command that makes kubectl's own completion
//! complete `kubectl keycloak …`.
//!
//! kubectl (1.26 and newer) completes a plugin's arguments by running
//! `kubectl_complete-keycloak` from PATH; this binary answers in that role
//! when it is invoked under that name (`super`). krew puts only
//! `kubectl-keycloak` on PATH, so a link is the one setup step.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::COMPLETER_NAME;
use crate::cli::{Cli, CompletionArgs, CompletionShell};
use crate::error::{Error, Kind, Result};
use crate::output::posix_quote;

pub fn run(args: &CompletionArgs) -> Result<String> {
    let shell = match args.shell {
        CompletionShell::Kubectl => {
            let exe =
                std::env::current_exe().map_err(|err| Error::new(Kind::Io, format!("cannot find this program's path: {err}")))?;
            return Ok(format!("{}\n", link_command(&exe)));
        }
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
        CompletionShell::Powershell => clap_complete::Shell::PowerShell,
        CompletionShell::Elvish => clap_complete::Shell::Elvish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kubectl-keycloak", &mut script);
    Ok(String::from_utf8_lossy(&script).into_owned())
}

/// `ln -sf TARGET LINK` for the binary at `exe` (symlinks already resolved,
/// as `current_exe` gives it). A krew install lives at
/// `KREW_ROOT/store/keycloak/VERSION/kubectl-keycloak` and is put on PATH as
/// the link `KREW_ROOT/bin/kubectl-keycloak`: the completer links to that
/// link, so it follows `krew upgrade`. Anything else (cargo install, a copied
/// binary): a link beside the binary, in a directory already on PATH.
pub fn link_command(exe: &Path) -> String {
    let name = |path: &Path| path.file_name().and_then(|n| n.to_str()).map(str::to_string);
    let version_dir = exe.parent();
    let plugin_dir = version_dir.and_then(Path::parent);
    let store = plugin_dir.and_then(Path::parent);
    let (target, dir): (PathBuf, PathBuf) = match (plugin_dir, store, store.and_then(Path::parent)) {
        (Some(plugin), Some(store), Some(root))
            if name(plugin).as_deref() == Some("keycloak") && name(store).as_deref() == Some("store") =>
        {
            (root.join("bin").join("kubectl-keycloak"), root.join("bin"))
        }
        _ => (exe.to_path_buf(), exe.parent().map_or_else(PathBuf::new, Path::to_path_buf)),
    };
    format!("ln -sf {} {}", posix_quote(&target.to_string_lossy()), posix_quote(&dir.join(COMPLETER_NAME).to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn krew_installs_link_to_the_krew_bin_link() {
        assert_eq!(
            link_command(Path::new("/home/u/.krew/store/keycloak/v0.1.0/kubectl-keycloak")),
            "ln -sf '/home/u/.krew/bin/kubectl-keycloak' '/home/u/.krew/bin/kubectl_complete-keycloak'"
        );
    }

    #[test]
    fn other_installs_link_beside_the_binary() {
        assert_eq!(
            link_command(Path::new("/home/u/.cargo/bin/kubectl-keycloak")),
            "ln -sf '/home/u/.cargo/bin/kubectl-keycloak' '/home/u/.cargo/bin/kubectl_complete-keycloak'"
        );
        assert_eq!(
            link_command(Path::new("/opt/my tools/kubectl-keycloak")),
            "ln -sf '/opt/my tools/kubectl-keycloak' '/opt/my tools/kubectl_complete-keycloak'"
        );
    }
}
