//! CSV for reports (RFC 4180), safe to open in a spreadsheet.

/// One CSV field, quoted when it must be (RFC 4180), and defused when a
/// spreadsheet would take it for a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
