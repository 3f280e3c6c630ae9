//! The configuration file: defaults a user sets once.
//!
//! Read from `--config FILE`, else `POLICY_SEARCH_CONFIG`, else
//! `$XDG_CONFIG_HOME/policy-search/config.toml` (`~/.config/…`). A flag or
//! an environment variable on the command line wins over the file, and the
//! file over the built-in defaults. An unknown key is an error naming it, so
//! a typo does not pass unnoticed.
//!
//! ```toml
//! index = "~/policy-index"            # where the index lives
//! glossaries = ["~/acronyms.tsv"]     # always used, beside --glossary
//!
//! [collections]                       # `policy-search index` re-indexes these
//! boards = ["~/board-papers"]
//! reports = ["~/reports", "~/inquiries"]
//!
//! [query]
//! limit = 20                          # -n
//! color = "never"                     # --color
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde::Deserialize;

/// Environment variable naming the configuration file.
pub const CONFIG_VAR: &str = "POLICY_SEARCH_CONFIG";

/// What the configuration file sets.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The index directory.
    pub index: Option<PathBuf>,
    /// Glossary files used by every search.
    #[serde(default)]
    pub glossaries: Vec<PathBuf>,
    /// Collections by name, each with its folders.
    #[serde(default)]
    pub collections: BTreeMap<String, Vec<PathBuf>>,
    /// Defaults of `query`.
    #[serde(default)]
    pub query: QueryDefaults,
}

/// Defaults of `query`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryDefaults {
    /// Passages shown (`-n`).
    pub limit: Option<u64>,
    /// When to use colour: `auto`, `always` or `never`.
    pub color: Option<String>,
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// Reads the configuration (see the module doc) once for the process;
/// `explicit` is `--config`.
pub fn load(explicit: Option<&Path>) -> Result<()> {
    let named = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(CONFIG_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let config = match named {
        // A file asked for must be there.
        Some(path) => read(&path)?,
        None => match default_path() {
            Some(path) if path.is_file() => read(&path)?,
            _ => Config::default(),
        },
    };
    let _ = CONFIG.set(config);
    Ok(())
}

/// The configuration read by [`load`] (empty if none).
pub fn get() -> &'static Config {
    CONFIG.get_or_init(Config::default)
}

fn read(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let why = e.message().to_string();
        anyhow::anyhow!(
            "{}: {why} (known keys: index, glossaries, [collections], [query] limit and color)",
            path.display()
        )
    })?;
    if let Some(color) = &config.query.color {
        anyhow::ensure!(
            matches!(color.as_str(), "auto" | "always" | "never"),
            "{}: [query] color must be \"auto\", \"always\" or \"never\", not {color:?}",
            path.display()
        );
    }
    // Relative paths are relative to the file, as a user reading it expects.
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: &mut PathBuf| *p = expand(p, base);
    config.index.iter_mut().for_each(resolve);
    config.glossaries.iter_mut().for_each(resolve);
    config
        .collections
        .values_mut()
        .flat_map(|v| v.iter_mut())
        .for_each(resolve);
    Ok(config)
}

/// `~/x` as the home folder's `x`; a relative path joined to `base`.
fn expand(p: &Path, base: &Path) -> PathBuf {
    if let (Ok(rest), Some(home)) = (p.strip_prefix("~"), std::env::var_os("HOME")) {
        return PathBuf::from(home).join(rest);
    }
    if p.is_relative() {
        base.join(p)
    } else {
        p.to_path_buf()
    }
}

/// `$XDG_CONFIG_HOME/policy-search/config.toml`, else under `~/.config`.
pub fn default_path() -> Option<PathBuf> {
    let dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(dir.join("policy-search").join("config.toml"))
}
