//! Which runtimes a run uses: an interpreter that runs the shipped CPython
//! worker, or a command that speaks the protocol itself, and its name.

/// A runtime the run uses: the name points carry, and how to start it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// Shown in point ids (`py_thread@python3`): short, no spaces.
    pub name: String,
    /// The program and its arguments. `None` in place of the worker file:
    /// the shipped CPython worker goes there.
    pub command: Vec<Option<String>>,
}

impl Runtime {
    /// From a config entry or `--python` value:
    /// - `python3.13t`: that interpreter runs the shipped CPython worker;
    /// - `node worker.js`: a command that speaks the protocol itself;
    /// - `NAME=...`: either, shown as NAME.
    pub fn parse(entry: &str) -> Result<Runtime, String> {
        let (name, command) = match entry.split_once('=') {
            Some((name, rest)) if !name.contains(char::is_whitespace) && !name.contains('/') => {
                (Some(name.to_string()), rest)
            }
            _ => (None, entry),
        };
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(first) = words.first() else {
            return Err(format!("interpreter `{entry}` names no program"));
        };
        let program_name = first.rsplit('/').next().unwrap_or(first).to_string();
        let name = name.unwrap_or(program_name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
        {
            return Err(format!(
                "interpreter name `{name}` may hold only letters, digits and . _ - +"
            ));
        }
        let mut command: Vec<Option<String>> = words.iter().map(|w| Some(w.to_string())).collect();
        if words.len() == 1 {
            command.push(None);
        }
        Ok(Runtime { name, command })
    }

    /// The runtime as one word (no spaces), for a line protocol:
    /// `name=program%20arg`; `from_word` reads it back.
    pub fn to_word(&self) -> String {
        let words: Vec<&str> = self.command.iter().flatten().map(String::as_str).collect();
        format!("{}={}", self.name, words.join(" "))
            .replace('%', "%25")
            .replace(' ', "%20")
    }

    pub fn from_word(word: &str) -> Result<Runtime, String> {
        Runtime::parse(&word.replace("%20", " ").replace("%25", "%"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interpreter_runs_the_shipped_worker_and_a_command_runs_as_given() {
        let python = Runtime::parse("python3.13t").unwrap();
        assert_eq!(python.name, "python3.13t");
        assert_eq!(python.command, vec![Some("python3.13t".into()), None]);
        let node = Runtime::parse("js=node /opt/w.js").unwrap();
        assert_eq!(node.name, "js");
        assert_eq!(node.command.len(), 2);
        assert!(node.command.iter().all(Option::is_some));
        assert_eq!(
            Runtime::parse("/usr/bin/python3 -X dev x.py").unwrap().name,
            "python3"
        );
        assert!(Runtime::parse("  ").is_err());
        assert!(Runtime::parse("a b=c d").unwrap().name == "a");
        for entry in ["python3", "js=node /opt/my worker.js", "x=a%b"] {
            let runtime = Runtime::parse(entry).unwrap();
            assert!(!runtime.to_word().contains(' '));
            assert_eq!(Runtime::from_word(&runtime.to_word()).unwrap(), runtime);
        }
    }
}
