//! The docs in `docs/` are generated from the schemas: this test fails when
//! they are stale. Regenerate with `UPDATE_DOCS=1 cargo test -p terraform-provider-todo --test docs`.

use std::path::PathBuf;

#[test]
fn docs_match_the_schemas() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let update = std::env::var("UPDATE_DOCS").is_ok();
    let mut stale = Vec::new();
    for (path, content) in todo_provider::docs::pages() {
        let file = root.join(path);
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &content).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(content.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs {stale:?}: run UPDATE_DOCS=1 cargo test -p terraform-provider-todo --test docs"
    );
}
