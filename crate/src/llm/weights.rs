//! Model weights, repacked from GGUF tensors into the kernel layouts (`kernels::quant`).

use super::config::Qwen2Config;
use crate::gguf::{GgmlType, Gguf, TensorInfo};
use crate::kernels::Q8Matrix;
use crate::{Error, Result};
use half::f16;

pub struct LayerWeights {
    pub attn_norm: Vec<f32>,
    pub wq: Q8Matrix,
    pub bq: Vec<f32>,
    pub wk: Q8Matrix,
    pub bk: Vec<f32>,
    pub wv: Q8Matrix,
    pub bv: Vec<f32>,
    pub wo: Q8Matrix,
    pub ffn_norm: Vec<f32>,
    pub gate: Q8Matrix,
    pub up: Q8Matrix,
    pub down: Q8Matrix,
}

pub struct ModelWeights {
    pub embed: Q8Matrix,
    pub layers: Vec<LayerWeights>,
    pub out_norm: Vec<f32>,
    /// `None`: the output head is tied to the embedding (our repacked GGUF drops the copy).
    pub output: Option<Q8Matrix>,
}

impl ModelWeights {
    pub fn load(g: &Gguf, c: &Qwen2Config, mut progress: impl FnMut(usize, usize)) -> Result<Self> {
        let (d, kv, ffn) = (c.d_model, c.kv_dim(), c.d_ffn);
        let embed = matrix(g, "token_embd.weight", c.vocab, d)?;
        // Each layer is 12 tensors: a corrupt block count fails at its first missing tensor
        // instead of reserving memory for billions of layers up front.
        let mut layers = Vec::with_capacity(c.n_layer.min(g.tensors.len() / 12));
        for i in 0..c.n_layer {
            progress(i, c.n_layer);
            let name = |s: &str| format!("blk.{i}.{s}");
            layers.push(LayerWeights {
                attn_norm: vector(g, &name("attn_norm.weight"), d)?,
                wq: matrix(g, &name("attn_q.weight"), d, d)?,
                bq: vector(g, &name("attn_q.bias"), d)?,
                wk: matrix(g, &name("attn_k.weight"), kv, d)?,
                bk: vector(g, &name("attn_k.bias"), kv)?,
                wv: matrix(g, &name("attn_v.weight"), kv, d)?,
                bv: vector(g, &name("attn_v.bias"), kv)?,
                wo: matrix(g, &name("attn_output.weight"), d, d)?,
                ffn_norm: vector(g, &name("ffn_norm.weight"), d)?,
                gate: matrix(g, &name("ffn_gate.weight"), ffn, d)?,
                up: matrix(g, &name("ffn_up.weight"), ffn, d)?,
                down: matrix(g, &name("ffn_down.weight"), d, ffn)?,
            });
        }
        progress(c.n_layer, c.n_layer);
        let output = match g.tensor("output.weight") {
            Some(_) => Some(matrix(g, "output.weight", c.vocab, d)?),
            None => None,
        };
        Ok(Self { embed, layers, out_norm: vector(g, "output_norm.weight", d)?, output })
    }

    pub fn output(&self) -> &Q8Matrix {
        self.output.as_ref().unwrap_or(&self.embed)
    }
}

fn find<'g>(g: &'g Gguf, name: &str) -> Result<&'g TensorInfo> {
    g.tensor(name).ok_or_else(|| Error::ModelLoad(format!("GGUF has no tensor {name}")))
}

fn check_dims(t: &TensorInfo, want: &[usize]) -> Result<()> {
    let dims: Vec<usize> = t.dims.iter().map(|&v| v as usize).collect();
    if dims != want {
        return Err(Error::ModelLoad(format!("tensor {} has shape {dims:?}, expected {want:?}", t.name)));
    }
    Ok(())
}

/// A weight matrix of `rows` outputs × `cols` inputs (GGUF dims `[cols, rows]`).
fn matrix(g: &Gguf, name: &str, rows: usize, cols: usize) -> Result<Q8Matrix> {
    let t = find(g, name)?;
    check_dims(t, &[cols, rows])?;
    let data = g.data(t);
    match t.ty {
        GgmlType::Q5_0 => Q8Matrix::from_q5_0(data, rows, cols),
        GgmlType::Q8_0 => Q8Matrix::from_q8_0(data, rows, cols),
        GgmlType::Q4K => Q8Matrix::from_q4_k(data, rows, cols),
        GgmlType::Q6K => Q8Matrix::from_q6_k(data, rows, cols),
        // Unquantized matrices (synthetic test models) are quantized to Q8 blocks.
        GgmlType::F32 | GgmlType::F16 => Ok(Q8Matrix::from_f32(&floats(t, data), rows, cols)),
        other => Err(Error::Unsupported(format!("tensor {name}: weight type {other:?} is not supported yet"))),
    }
}

fn vector(g: &Gguf, name: &str, len: usize) -> Result<Vec<f32>> {
    let t = find(g, name)?;
    check_dims(t, &[len])?;
    match t.ty {
        GgmlType::F32 | GgmlType::F16 => Ok(floats(t, g.data(t))),
        other => Err(Error::Unsupported(format!("tensor {name}: vector type {other:?} is not supported"))),
    }
}

fn floats(t: &TensorInfo, data: &[u8]) -> Vec<f32> {
    match t.ty {
        GgmlType::F16 => data.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        _ => data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect(),
    }
}
