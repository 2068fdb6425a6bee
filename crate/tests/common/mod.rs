//! Paths to the files `models/fetch.py` produces (models/dist) and verifies (test photos).

use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A runtime file from models/dist; panics with the command to run when it is missing.
pub fn model_file(name: &str) -> Vec<u8> {
    let path = repo_root().join("models/dist").join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}. Run `.venv/bin/python models/fetch.py` (or ./qy build) first.", path.display())
    })
}

/// A test photo, read in place from the scikit-image wheel unpacked by models/fetch.py.
#[allow(dead_code)] // not every test file uses the photos
pub fn photo(name: &str) -> Vec<u8> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo_root().join("models/manifest.json")).unwrap()).unwrap();
    let source = manifest["testdata"]["source"].as_str().unwrap();
    let dir = manifest["testdata"]["dir"].as_str().unwrap();
    let file = manifest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == source)
        .unwrap()["file"]
        .as_str()
        .unwrap();
    let unpacked: Vec<&str> = file.split('-').take(2).collect();
    let path = repo_root().join("models/.cache/src/pypi").join(unpacked.join("-")).join(dir).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}. Run models/fetch.py first.", path.display()))
}
