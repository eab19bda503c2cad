//! Which runtimes the external variants (`py_*`) of a plan run in: the
//! `--python` flags, else the suite's `interpreters`, else `python3`.

use std::sync::Arc;

use super::settings::Overrides;
use crate::config::Suite;
use crate::error::BadInput;
use crate::model::runtime::Runtime;

/// The runtimes external variants run in: `--python`, else the suite's
/// `interpreters`, else `python3`.
pub fn runtimes(suite: &Suite, overrides: &Overrides) -> Result<Vec<Arc<Runtime>>, BadInput> {
    let parse_all = |entries: &[String]| -> Result<Vec<Arc<Runtime>>, String> {
        let mut runtimes: Vec<Arc<Runtime>> = Vec::new();
        for entry in entries {
            let runtime = Runtime::parse(entry)?;
            if runtimes.iter().any(|r| r.name == runtime.name) {
                return Err(format!("two interpreters are named `{}`", runtime.name));
            }
            runtimes.push(Arc::new(runtime));
        }
        Ok(runtimes)
    };
    if !overrides.interpreters.is_empty() {
        return parse_all(&overrides.interpreters).map_err(|message| BadInput::Flag {
            flag: "--python",
            message,
        });
    }
    match &suite.file.interpreters {
        Some(listed) if listed.get_ref().is_empty() => Err(suite.error_at(
            listed.span(),
            "interpreters = []: name at least one, or leave the key out".into(),
        )),
        Some(listed) => parse_all(listed.get_ref()).map_err(|m| suite.error_at(listed.span(), m)),
        None => parse_all(&["python3".to_string()]).map_err(|message| BadInput::Flag {
            flag: "interpreters",
            message,
        }),
    }
}
