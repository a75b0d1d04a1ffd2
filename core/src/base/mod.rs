//! The ground floor: positions in text, diagnostics, and small tools every
//! stage shares (dates, sorting, near-miss names, base64, number text). No Sigma or Kusto
//! types live here.

pub mod b64;
pub mod datetime;
pub mod diag;
pub mod float;
pub mod similar;
pub mod sort;
pub mod text;
