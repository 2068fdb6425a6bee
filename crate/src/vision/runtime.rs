//! One place that turns ONNX bytes into optimized tract plans and runs them on f32 tensors,
//! so every model reports load and run failures the same way.
//!
//! Models with a fixed input size get one plan, built at load. Models whose input size varies
//! (the OCR detector and recognizer) are parsed and decluttered once with symbolic sizes, and
//! optimized for each concrete size the first time it is seen: tract runs a concrete plan
//! 5–7× faster than a symbolic one (PP-OCRv4 det at 960×736: ~0.5 s vs ~2.7 s), and building
//! one from the decluttered model takes a fraction of a second. A few recent sizes are kept.

use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tract_onnx::prelude::*;

/// A model ready to run: its optimized plan(s), keyed by input shape.
pub(crate) struct Plan {
    model_name: &'static str,
    /// The decluttered model with symbolic input sizes; `None` when the input size is fixed.
    symbolic: Option<SymbolicModel>,
    /// Optimized plans by input shape, most recently used last.
    plans: Mutex<Vec<(Vec<usize>, Arc<TypedRunnableModel>)>>,
    capacity: usize,
}

struct SymbolicModel {
    model: TypedModel,
    input_dims: Vec<TDim>,
}

/// One f32 output of a run, copied out of tract.
pub(crate) struct Output {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Plan {
    /// `input_shape`: one expression per input dimension, a number or a symbolic size such as
    /// `"32*h"`. Saying that a size is a multiple of 32 lets tract prove that a network's
    /// upsampled feature maps line up, which it cannot for an arbitrary ONNX dynamic dimension.
    /// With symbols, up to `capacity` concrete plans are kept.
    pub fn load(onnx: &[u8], model_name: &'static str, input_shape: &[&str], capacity: usize) -> Result<Self> {
        Self::build(tract_onnx::onnx(), onnx, model_name, input_shape, capacity)
    }

    /// Like [`Plan::load`], for graphs (paddle2onnx exports) that compute reshape targets as
    /// `Shape → Cast(int32) → Slice → Cast(int64)`: tract keeps symbolic sizes only in int64,
    /// so int32 casts are read as int64 casts. Only for models whose int32 casts all act on
    /// shapes (checked for the PP-OCR recognizer).
    pub fn load_widening_shape_casts(
        onnx: &[u8],
        model_name: &'static str,
        input_shape: &[&str],
        capacity: usize,
    ) -> Result<Self> {
        let mut framework = tract_onnx::onnx();
        framework.op_register.insert("Cast", cast_int32_as_int64);
        Self::build(framework, onnx, model_name, input_shape, capacity)
    }

    fn build(
        framework: tract_onnx::Onnx,
        onnx: &[u8],
        model_name: &'static str,
        input_shape: &[&str],
        capacity: usize,
    ) -> Result<Self> {
        let load_error = |e: TractError| Error::ModelLoad(format!("{model_name} ONNX: {e:#}"));
        let model = framework.model_for_read(&mut &onnx[..]).map_err(load_error)?;
        let dims = input_shape
            .iter()
            .map(|d| model.symbols.parse_tdim(d))
            .collect::<TractResult<Vec<TDim>>>()
            .map_err(load_error)?;
        // Sizes are positive; tract needs to know it to simplify e.g. (32·h + 31) / 32 to h.
        for symbol in model.symbols.all_symbols() {
            let name = symbol.to_string();
            if name.chars().all(|c| c.is_ascii_alphabetic()) {
                model.symbols.add_assertion(format!("{name}>=1")).map_err(load_error)?;
            }
        }
        let typed = model
            .with_input_fact(0, f32::fact(dims.clone()).into())
            .and_then(|m| m.into_typed())
            .and_then(|m| m.into_decluttered())
            .map_err(load_error)?;
        let plan = Self { model_name, symbolic: None, plans: Mutex::new(Vec::new()), capacity: capacity.max(1) };
        match dims.iter().map(|d| d.as_i64().map(|v| v as usize)).collect::<Option<Vec<usize>>>() {
            Some(shape) => {
                let runnable = typed.into_optimized().and_then(|m| m.into_runnable()).map_err(load_error)?;
                plan.lock_plans().push((shape, runnable));
                Ok(plan)
            }
            None => Ok(Self { symbolic: Some(SymbolicModel { model: typed, input_dims: dims }), ..plan }),
        }
    }

    fn lock_plans(&self) -> std::sync::MutexGuard<'_, Vec<(Vec<usize>, Arc<TypedRunnableModel>)>> {
        // A panic while holding the lock cannot leave the list inconsistent: keep using it.
        self.plans.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The optimized plan for `shape`, built (and cached) on first use.
    fn plan_for(&self, shape: &[usize]) -> Result<Arc<TypedRunnableModel>> {
        let name = self.model_name;
        let mut plans = self.lock_plans();
        if let Some(at) = plans.iter().position(|(s, _)| s == shape) {
            let entry = plans.remove(at);
            let runnable = entry.1.clone();
            plans.push(entry);
            return Ok(runnable);
        }
        let Some(symbolic) = &self.symbolic else {
            return Err(Error::InvalidInput(format!("{name} takes input {:?}, not {shape:?}", plans[0].0)));
        };
        let values = solve_symbols(&symbolic.input_dims, shape)
            .ok_or_else(|| Error::InvalidInput(format!("{name} cannot take input {shape:?}")))?;
        let runnable = symbolic
            .model
            .set_symbols(&values)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| Error::ModelLoad(format!("{name} for input {shape:?}: {e:#}")))?;
        if plans.len() >= self.capacity {
            plans.remove(0);
        }
        plans.push((shape.to_vec(), runnable.clone()));
        Ok(runnable)
    }

    /// Runs the plan on one f32 tensor of `shape`; returns every output as f32.
    pub fn run(&self, shape: &[usize], data: Vec<f32>) -> Result<Vec<Output>> {
        let name = self.model_name;
        let input = Tensor::from_shape(shape, &data)
            .map_err(|e| Error::InvalidInput(format!("{name} input {shape:?}: {e:#}")))?;
        let plan = self.plan_for(shape)?;
        let outputs = plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| Error::ModelLoad(format!("{name} run failed on input {shape:?}: {e:#}")))?;
        outputs
            .iter()
            .map(|value| {
                let view = value
                    .try_as_plain_ram()
                    .map_err(|e| Error::ModelLoad(format!("{name} output: {e:#}")))?;
                let data = view
                    .as_slice::<f32>()
                    .map_err(|e| Error::ModelLoad(format!("{name} output is not f32: {e:#}")))?;
                Ok(Output { shape: value.shape().to_vec(), data: data.to_vec() })
            })
            .collect()
    }
}

/// Symbol values that make the symbolic `dims` equal `shape`. Each dimension is a number or
/// linear in one symbol (`k·s + c`); `None` when the shape does not fit.
fn solve_symbols(dims: &[TDim], shape: &[usize]) -> Option<HashMap<Symbol, TDim>> {
    if dims.len() != shape.len() {
        return None;
    }
    let mut values = HashMap::new();
    for (dim, &size) in dims.iter().zip(shape) {
        let symbols: Vec<Symbol> = dim.symbols().into_iter().collect();
        match symbols.as_slice() {
            [] => (dim.to_i64().ok()? == size as i64).then_some(())?,
            [symbol] => {
                let at = |v: i64| dim.eval(&SymbolValues::default().with(symbol, v)).to_i64().ok();
                let (c, k) = (at(0)?, at(1)? - at(0)?);
                let delta = size as i64 - c;
                if k <= 0 || delta % k != 0 || delta / k < 1 {
                    return None;
                }
                values.insert(symbol.clone(), TDim::Val(delta / k));
            }
            _ => return None,
        }
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_solved_from_a_concrete_shape() {
        let scope = SymbolScope::default();
        let dims: Vec<TDim> = ["1", "3", "32*h", "w"].iter().map(|d| scope.parse_tdim(d).unwrap()).collect();
        let values = solve_symbols(&dims, &[1, 3, 736, 359]).unwrap();
        assert_eq!(values[&scope.sym("h")], TDim::Val(23));
        assert_eq!(values[&scope.sym("w")], TDim::Val(359));
        assert!(solve_symbols(&dims, &[1, 3, 735, 359]).is_none(), "not a multiple of 32");
        assert!(solve_symbols(&dims, &[2, 3, 736, 359]).is_none(), "fixed dimension differs");
        assert!(solve_symbols(&dims, &[1, 3, 736]).is_none());
    }
}

/// ONNX `Cast` builder that turns `to = INT32` into `to = INT64`, then defers to tract's own.
fn cast_int32_as_int64(
    ctx: &tract_onnx::model::ParsingContext,
    node: &tract_onnx::pb::NodeProto,
) -> TractResult<(Box<dyn tract_onnx::tract_hir::infer::InferenceOp>, Vec<String>)> {
    const INT32: i64 = 6;
    const INT64: i64 = 7;
    let mut node = node.clone();
    for attribute in node.attribute.iter_mut() {
        if attribute.name == "to" && attribute.i == INT32 {
            attribute.i = INT64;
        }
    }
    let builder = tract_onnx::onnx().op_register.0.get("Cast").copied();
    let builder = builder.ok_or_else(|| TractError::msg("tract-onnx has no Cast operator"))?;
    builder(ctx, &node)
}
