//! Class-name tables produced by `models/` (JSON lists, index = class id).

use crate::{Error, Result};

pub fn parse_label_list(json: &[u8], expected: usize) -> Result<Vec<String>> {
    let labels: Vec<String> = serde_json::from_slice(json)
        .map_err(|e| Error::ModelLoad(format!("label file is not a JSON list of names: {e}")))?;
    if labels.len() != expected {
        return Err(Error::ModelLoad(format!(
            "label file has {} names, the model has {expected} classes",
            labels.len()
        )));
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_wrong_count_and_bad_json() {
        assert!(parse_label_list(br#"["a","b"]"#, 2).is_ok());
        assert!(matches!(parse_label_list(br#"["a"]"#, 2), Err(Error::ModelLoad(_))));
        assert!(matches!(parse_label_list(b"{", 2), Err(Error::ModelLoad(_))));
    }
}
