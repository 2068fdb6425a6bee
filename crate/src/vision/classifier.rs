//! EfficientNet-Lite0 ImageNet classifier on tract: plan optimized once, reused per photo.

use super::{labels::parse_label_list, preprocess::efficientnet_input};
use crate::{Error, Result};
use image::RgbImage;
use serde::Serialize;
use std::sync::Arc;
use tract_onnx::prelude::*;

pub const INPUT_SIDE: u32 = 224;
pub const CLASSES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelScore {
    pub id: usize,
    pub name: String,
    /// Softmax probability over the 1,000 classes.
    pub score: f32,
}

pub struct ImageClassifier {
    plan: Arc<TypedRunnableModel>,
    labels: Vec<String>,
    /// The square input side the graph declares ([`INPUT_SIDE`] for Lite0; 240 for Lite1, 260
    /// for Lite2, converted the same way).
    side: u32,
}

impl ImageClassifier {
    /// Builds the optimized plan from the ONNX bytes made by `models/convert/efficientnet_lite0.py`.
    pub fn load(onnx: &[u8], labels_json: &[u8]) -> Result<Self> {
        let labels = parse_label_list(labels_json, CLASSES)?;
        let model = tract_onnx::onnx()
            .model_for_read(&mut &onnx[..])
            .map_err(|e| Error::ModelLoad(format!("EfficientNet-Lite0 ONNX: {e:#}")))?;
        let declared = model
            .input_fact(0)
            .ok()
            .and_then(|f| f.shape.as_concrete_finite().ok().flatten())
            .and_then(|s| s.get(2).copied())
            .filter(|&d| (32..=1024).contains(&d));
        let side = declared.map_or(INPUT_SIDE, |d| d as u32);
        let plan = model
            .with_input_fact(0, f32::fact([1, 3, side as usize, side as usize]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| Error::ModelLoad(format!("EfficientNet-Lite0 ONNX: {e:#}")))?;
        Ok(Self { plan, labels, side })
    }

    /// Raw logits for one photo (exposed for parity tests against the numpy reference).
    pub fn logits(&self, rgb: &RgbImage) -> Result<Vec<f32>> {
        let side = self.side as usize;
        let input = Tensor::from_shape(&[1, 3, side, side], &efficientnet_input(rgb, self.side))
            .map_err(|e| Error::InvalidInput(format!("{e:#}")))?;
        let outputs = self
            .plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| Error::ModelLoad(format!("EfficientNet-Lite0 run failed: {e:#}")))?;
        let view = outputs[0]
            .try_as_plain_ram()
            .map_err(|e| Error::ModelLoad(format!("{e:#}")))?;
        let logits = view
            .as_slice::<f32>()
            .map_err(|e| Error::ModelLoad(format!("{e:#}")))?;
        if logits.len() != CLASSES {
            return Err(Error::ModelLoad(format!(
                "classifier produced {} logits, expected {CLASSES}",
                logits.len()
            )));
        }
        Ok(logits.to_vec())
    }

    /// The `k` most likely ImageNet classes, best first.
    pub fn classify(&self, rgb: &RgbImage, k: usize) -> Result<Vec<LabelScore>> {
        let probs = softmax(&self.logits(rgb)?);
        let mut order: Vec<usize> = (0..probs.len()).collect();
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
        Ok(order
            .into_iter()
            .take(k)
            .map(|id| LabelScore { id, name: self.labels[id].clone(), score: probs[id] })
            .collect())
    }
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let p = softmax(&[1.0, 3.0, 2.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[1] > p[2] && p[2] > p[0]);
    }

    #[test]
    fn corrupt_model_is_a_model_load_error() {
        let labels = serde_json::to_vec(&vec!["x"; CLASSES]).unwrap();
        let err = ImageClassifier::load(b"not an onnx file", &labels).err().unwrap();
        assert!(matches!(err, Error::ModelLoad(_)), "{err}");
    }
}
