//! KQL backend (being written).
