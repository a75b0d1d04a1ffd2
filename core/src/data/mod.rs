//! Generated tables, kept as their generators write them: edit the scripts,
//! never these files.

/// MITRE ATT&CK ids and names (`scripts/gen_attack.py`).
#[rustfmt::skip]
pub(crate) mod attack;
/// Table columns and types of the Kusto schema (`scripts/gen_pipeline_schema.py`).
#[rustfmt::skip]
pub(crate) mod schema_tables;
/// Sysmon's event schema: the values each event writes, in order.
pub(crate) mod sysmon;
