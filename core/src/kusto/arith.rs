//! Arithmetic on Kusto values, shared by the evaluator and by constant folding
//! in function arguments.

use super::ast::Arith;
use super::value::Value;

/// Unary minus: null on overflow or on a value that is not a number or timespan.
pub fn negate(v: Value) -> Option<Value> {
    Some(match v.unwrap_dynamic() {
        Value::Long(n) => n.checked_neg().map_or(Value::Null, Value::Long),
        Value::Real(f) => Value::Real(-f),
        Value::Timespan(t) => t.checked_neg().map_or(Value::Null, Value::Timespan),
        _ => Value::Null,
    })
}

/// A binary arithmetic operator; null where Kusto gives null (overflow, mixed types).
pub fn arith(op: Arith, a: Value, b: Value) -> Value {
    use Value::*;
    let (a, b) = (a.unwrap_dynamic(), b.unwrap_dynamic());
    match (op, &a, &b) {
        (_, Long(x), Long(y)) => match op {
            Arith::Add => x.checked_add(*y),
            Arith::Sub => x.checked_sub(*y),
            Arith::Mul => x.checked_mul(*y),
            Arith::Div => x.checked_div(*y),
            Arith::Mod => x.checked_rem(*y),
        }
        .map_or(Null, Long),
        (Arith::Add, DateTime(d), Timespan(t)) | (Arith::Add, Timespan(t), DateTime(d)) => {
            d.checked_add(*t).map_or(Null, DateTime)
        }
        (Arith::Sub, DateTime(d), Timespan(t)) => d.checked_sub(*t).map_or(Null, DateTime),
        (Arith::Sub, DateTime(x), DateTime(y)) => x.checked_sub(*y).map_or(Null, Timespan),
        (Arith::Add, Timespan(x), Timespan(y)) => x.checked_add(*y).map_or(Null, Timespan),
        (Arith::Sub, Timespan(x), Timespan(y)) => x.checked_sub(*y).map_or(Null, Timespan),
        (_, Long(_) | Real(_), Long(_) | Real(_)) => {
            let (x, y) = (a.as_real().unwrap_or(f64::NAN), b.as_real().unwrap_or(f64::NAN));
            Real(match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div => x / y,
                Arith::Mod => x % y,
            })
        }
        _ => Null,
    }
}
