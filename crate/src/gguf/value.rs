//! GGUF metadata values.

use super::{bad, Reader};
use crate::Result;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(String),
    Array(Vec<Value>),
    U64(u64),
    I64(i64),
    F64(f64),
}

/// Arrays longer than this are corrupt (the Qwen vocab has 151,936 entries).
const MAX_ARRAY: u64 = 1 << 24;

impl Value {
    pub(crate) fn read(r: &mut Reader) -> Result<Value> {
        let ty = r.u32()?;
        Self::read_typed(r, ty, 0)
    }

    fn read_typed(r: &mut Reader, ty: u32, depth: u32) -> Result<Value> {
        Ok(match ty {
            0 => Value::U8(r.u8()?),
            1 => Value::I8(r.u8()? as i8),
            2 => Value::U16(r.u16()?),
            3 => Value::I16(r.u16()? as i16),
            4 => Value::U32(r.u32()?),
            5 => Value::I32(r.u32()? as i32),
            6 => Value::F32(f32::from_bits(r.u32()?)),
            7 => Value::Bool(r.u8()? != 0),
            8 => Value::String(r.string()?),
            9 => {
                if depth > 2 {
                    return Err(bad("metadata arrays nested too deeply"));
                }
                let item_ty = r.u32()?;
                let len = r.u64()?;
                if len > MAX_ARRAY {
                    return Err(bad(&format!("metadata array of {len} items")));
                }
                let mut items = Vec::with_capacity(len.min(1 << 16) as usize);
                for _ in 0..len {
                    items.push(Self::read_typed(r, item_ty, depth + 1)?);
                }
                Value::Array(items)
            }
            10 => Value::U64(r.u64()?),
            11 => Value::I64(r.u64()? as i64),
            12 => Value::F64(f64::from_bits(r.u64()?)),
            other => return Err(bad(&format!("unknown metadata value type {other}"))),
        })
    }

    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v as u64),
            Value::U16(v) => Some(v as u64),
            Value::U32(v) => Some(v as u64),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Value::F32(v) => Some(v),
            Value::F64(v) => Some(v as f32),
            _ => self.as_u64().map(|v| v as f32),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}
