//! GGUF reader: header, metadata, tensor table and the tensor bytes, borrowed from one buffer
//! (the wasm side holds the whole file in memory; natively we read the file once).
//!
//! Format: "GGUF", u32 version (2 or 3), u64 tensor count, u64 metadata count, the metadata
//! key/values, the tensor infos (name, dims, type, offset), padding to `general.alignment`
//! (default 32), then the tensor data. All little-endian.

mod types;
mod value;

pub use types::GgmlType;
pub use value::Value;

use crate::{Error, Result};
use std::collections::HashMap;

const MAGIC: &[u8; 4] = b"GGUF";
const DEFAULT_ALIGNMENT: u64 = 32;
/// Guards against absurd counts in a corrupt header before we allocate for them.
const MAX_TENSORS: u64 = 1 << 16;
const MAX_METADATA: u64 = 1 << 16;

#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    /// ggml order: `dims[0]` is the contiguous (row) length.
    pub dims: Vec<u64>,
    pub ty: GgmlType,
    /// Byte range of the tensor's data inside the file buffer.
    pub start: usize,
    pub len: usize,
}

impl TensorInfo {
    pub fn elements(&self) -> u64 {
        self.dims.iter().product()
    }
}

pub struct Gguf<'a> {
    pub version: u32,
    pub metadata: HashMap<String, Value>,
    pub tensors: Vec<TensorInfo>,
    bytes: &'a [u8],
}

impl<'a> Gguf<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        Self::parse_inner(bytes, bytes.len(), &mut false)
    }

    /// Parses the header from the first bytes of a `file_len`-byte file (the tensors' data
    /// need not be there yet: `data` is only for tensors inside `bytes`). `Ok(None)` when
    /// `bytes` ends inside the header, so a streaming loader waits for more.
    pub fn parse_prefix(bytes: &'a [u8], file_len: usize) -> Result<Option<Self>> {
        let mut ran_out = false;
        match Self::parse_inner(bytes, file_len, &mut ran_out) {
            Err(_) if ran_out && bytes.len() < file_len => Ok(None),
            other => other.map(Some),
        }
    }

    fn parse_inner(bytes: &'a [u8], file_len: usize, ran_out: &mut bool) -> Result<Self> {
        let mut r = Reader { bytes, pos: 0, ran_out: false };
        let parsed = Self::read_header(&mut r, bytes, file_len);
        *ran_out = r.ran_out;
        parsed
    }

    fn read_header(r: &mut Reader<'a>, bytes: &'a [u8], file_len: usize) -> Result<Self> {
        if r.take(4)? != MAGIC {
            return Err(bad("not a GGUF file (bad magic)"));
        }
        let version = r.u32()?;
        if !(2..=3).contains(&version) {
            return Err(bad(&format!("GGUF version {version} is not supported (2 or 3)")));
        }
        let n_tensors = r.u64()?;
        let n_metadata = r.u64()?;
        if n_tensors > MAX_TENSORS || n_metadata > MAX_METADATA {
            return Err(bad(&format!("implausible counts: {n_tensors} tensors, {n_metadata} metadata keys")));
        }
        let mut metadata = HashMap::with_capacity(n_metadata as usize);
        for _ in 0..n_metadata {
            let key = r.string()?;
            let value = Value::read(r)?;
            metadata.insert(key, value);
        }
        let alignment = match metadata.get("general.alignment") {
            Some(v) => v.as_u64().filter(|a| a.is_power_of_two()).ok_or_else(|| bad("general.alignment is not a power of two"))?,
            None => DEFAULT_ALIGNMENT,
        };
        let mut raw = Vec::with_capacity(n_tensors as usize);
        for _ in 0..n_tensors {
            let name = r.string()?;
            let n_dims = r.u32()?;
            if n_dims == 0 || n_dims > 4 {
                return Err(bad(&format!("tensor {name}: {n_dims} dimensions")));
            }
            let dims = (0..n_dims).map(|_| r.u64()).collect::<Result<Vec<_>>>()?;
            let ty_id = r.u32()?;
            let ty = GgmlType::from_id(ty_id).ok_or_else(|| bad(&format!("tensor {name}: unknown ggml type {ty_id}")))?;
            let offset = r.u64()?;
            raw.push((name, dims, ty, offset));
        }
        let data_start = align(r.pos as u64, alignment);
        let mut tensors = Vec::with_capacity(raw.len());
        for (name, dims, ty, offset) in raw {
            let elements: u64 = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d)).ok_or_else(|| bad(&format!("tensor {name}: size overflows")))?;
            if dims[0] % ty.block_elements() as u64 != 0 {
                return Err(bad(&format!("tensor {name}: row length {} is not a multiple of the {ty:?} block", dims[0])));
            }
            let len = (elements / ty.block_elements() as u64)
                .checked_mul(ty.block_bytes() as u64)
                .ok_or_else(|| bad(&format!("tensor {name}: size overflows")))?;
            let start = data_start.checked_add(offset).ok_or_else(|| bad(&format!("tensor {name}: offset overflows")))?;
            let end = start.checked_add(len).ok_or_else(|| bad(&format!("tensor {name}: size overflows")))?;
            if end > file_len as u64 {
                return Err(Error::ModelLoad(format!(
                    "GGUF is truncated: tensor {name} ends at byte {end}, the file has {file_len} bytes"
                )));
            }
            tensors.push(TensorInfo { name, dims, ty, start: start as usize, len: len as usize });
        }
        Ok(Self { version, metadata, tensors, bytes })
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The raw (still quantized) bytes of a tensor (inside the bytes given to `parse`).
    pub fn data(&self, tensor: &TensorInfo) -> &'a [u8] {
        // Empty (a size error for the caller) for a tensor past the end of a prefix parse.
        self.bytes.get(tensor.start..tensor.start + tensor.len).unwrap_or(&[])
    }

    pub fn get(&self, key: &str) -> Result<&Value> {
        self.metadata.get(key).ok_or_else(|| bad(&format!("metadata key {key} is missing")))
    }

    pub fn get_u64(&self, key: &str) -> Result<u64> {
        self.get(key)?.as_u64().ok_or_else(|| bad(&format!("metadata key {key} is not an integer")))
    }

    pub fn get_f32(&self, key: &str) -> Result<f32> {
        self.get(key)?.as_f32().ok_or_else(|| bad(&format!("metadata key {key} is not a number")))
    }

    pub fn get_str(&self, key: &str) -> Result<&str> {
        self.get(key)?.as_str().ok_or_else(|| bad(&format!("metadata key {key} is not a string")))
    }
}

fn align(pos: u64, alignment: u64) -> u64 {
    pos.div_ceil(alignment) * alignment
}

fn bad(msg: &str) -> Error {
    Error::ModelLoad(format!("GGUF: {msg}"))
}

/// A bounds-checked little-endian cursor: every read past the end is a `ModelLoad` error.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Set when a read needed bytes past the end (the difference between "truncated" and
    /// "corrupt" for a header that is still arriving).
    ran_out: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            self.ran_out = true;
            Error::ModelLoad(format!(
                "GGUF is truncated: needed {n} bytes at offset {}, the file has {}",
                self.pos,
                self.bytes.len()
            ))
        })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().unwrap())
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(crate) fn string(&mut self) -> Result<String> {
        let len = self.u64()?;
        let len = usize::try_from(len).map_err(|_| bad("string length overflows"))?;
        let raw = self.take(len)?;
        String::from_utf8(raw.to_vec()).map_err(|_| bad("a string is not valid UTF-8"))
    }
}

#[cfg(test)]
mod tests;
