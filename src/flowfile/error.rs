//! The error every flow-file check reports to the user: which file, where in it, what is wrong.

use std::fmt;

/// Why a flow file or a substitutions file cannot be used, for the user ("invalid input").
///
/// Shown as `bots/billing.yml line 12, column 9: <what is wrong>`; the line and column are
/// 1-based and left out when the problem has no single place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file as the user named it, or `the substitutions input` for inline text.
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the problem has one.
    pub column: Option<usize>,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl FileError {
    /// An error at a place in `file` (either part of the place may be unknown).
    pub fn at(
        file: &str,
        line: Option<usize>,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> FileError {
        FileError {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " line {line}, column {column}")?,
            (Some(line), None) => write!(f, " line {line}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_is_shown_as_far_as_it_is_known() {
        let at = |line, column| FileError::at("bots/billing.yml", line, column, "bad");
        assert_eq!(
            at(Some(12), Some(9)).to_string(),
            "bots/billing.yml line 12, column 9: bad"
        );
        assert_eq!(
            at(Some(3), None).to_string(),
            "bots/billing.yml line 3: bad"
        );
        assert_eq!(at(None, None).to_string(), "bots/billing.yml: bad");
    }
}
