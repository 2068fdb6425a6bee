//! Plane geometry for text boxes: convex hull, minimum-area rectangle, point ordering and
//! the perspective transform used to cut a box out of the image.

pub type Point = [f32; 2];

/// Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates' sense of
/// the algorithm, without repeated or collinear points. Fewer than 3 distinct points come back
/// as they are (deduplicated).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts: Vec<Point> = points.to_vec();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: Point, a: Point, b: Point| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut hull: Vec<Point> = Vec::with_capacity(2 * pts.len());
    for pass in 0..2 {
        let start = hull.len();
        let ordered: Box<dyn Iterator<Item = &Point>> =
            if pass == 0 { Box::new(pts.iter()) } else { Box::new(pts.iter().rev()) };
        for &p in ordered {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop(); // the last point starts the other chain
    }
    hull
}

/// A rectangle of any rotation: its 4 corners (in order around it) and side lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotatedRect {
    pub corners: [Point; 4],
    pub width: f32,
    pub height: f32,
}

impl RotatedRect {
    pub fn short_side(&self) -> f32 {
        self.width.min(self.height)
    }

    /// The same rectangle grown by `distance` on every side (the min-area rectangle of a
    /// rounded offset of a rectangle is exactly this).
    pub fn grown(&self, distance: f32) -> RotatedRect {
        let [a, b, _, d] = self.corners;
        let unit = |from: Point, to: Point| {
            let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 { [dx / len, dy / len] } else { [0.0, 0.0] }
        };
        let (u, v) = (unit(a, b), unit(a, d));
        let (w, h) = (self.width + 2.0 * distance, self.height + 2.0 * distance);
        let origin = [a[0] - distance * (u[0] + v[0]), a[1] - distance * (u[1] + v[1])];
        let at = |s: f32, t: f32| [origin[0] + s * u[0] + t * v[0], origin[1] + s * u[1] + t * v[1]];
        RotatedRect { corners: [at(0.0, 0.0), at(w, 0.0), at(w, h), at(0.0, h)], width: w, height: h }
    }
}

/// Smallest-area enclosing rectangle (rotating calipers over the hull edges), like OpenCV's
/// `minAreaRect`. `None` for an empty point set.
pub fn min_area_rect(points: &[Point]) -> Option<RotatedRect> {
    let hull = convex_hull(points);
    let first = *hull.first()?;
    if hull.len() == 1 {
        return Some(RotatedRect { corners: [first; 4], width: 0.0, height: 0.0 });
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for i in 0..hull.len() {
        let (p, q) = (hull[i], hull[(i + 1) % hull.len()]);
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            continue;
        }
        let u = [dx / len, dy / len];
        let v = [-u[1], u[0]];
        let (mut u_min, mut u_max, mut v_min, mut v_max) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for h in &hull {
            let (s, t) = (h[0] * u[0] + h[1] * u[1], h[0] * v[0] + h[1] * v[1]);
            u_min = u_min.min(s);
            u_max = u_max.max(s);
            v_min = v_min.min(t);
            v_max = v_max.max(t);
        }
        let area = (u_max - u_min) * (v_max - v_min);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let at = |s: f32, t: f32| [s * u[0] + t * v[0], s * u[1] + t * v[1]];
            let rect = RotatedRect {
                corners: [at(u_min, v_min), at(u_max, v_min), at(u_max, v_max), at(u_min, v_max)],
                width: u_max - u_min,
                height: v_max - v_min,
            };
            best = Some((area, rect));
        }
    }
    best.map(|(_, rect)| rect)
}

/// PaddleOCR's `get_mini_boxes` order: sort corners by x, then pick top-left, top-right,
/// bottom-right, bottom-left by comparing y within the left pair and the right pair.
pub fn mini_box_order(corners: [Point; 4]) -> [Point; 4] {
    let mut p = corners;
    p.sort_by(|a, b| a[0].total_cmp(&b[0])); // stable, like Python's sorted
    let (top_left, bottom_left) = if p[1][1] > p[0][1] { (p[0], p[1]) } else { (p[1], p[0]) };
    let (top_right, bottom_right) = if p[3][1] > p[2][1] { (p[2], p[3]) } else { (p[3], p[2]) };
    [top_left, top_right, bottom_right, bottom_left]
}

/// rapidocr's `order_points_clockwise`: top-left has the smallest x+y, bottom-right the largest;
/// of the other two, top-right has the smaller y−x.
pub fn order_clockwise(points: [Point; 4]) -> [Point; 4] {
    let sum = |p: &Point| p[0] + p[1];
    let first_min = |key: &dyn Fn(&Point) -> f32, idx: &[usize]| {
        *idx.iter().min_by(|&&a, &&b| key(&points[a]).total_cmp(&key(&points[b]))).expect("non-empty")
    };
    let first_max = |key: &dyn Fn(&Point) -> f32, idx: &[usize]| {
        // numpy argmax: the first of equal maxima.
        let mut best = idx[0];
        for &i in &idx[1..] {
            if key(&points[i]) > key(&points[best]) {
                best = i;
            }
        }
        best
    };
    let all = [0, 1, 2, 3];
    let tl = first_min(&sum, &all);
    let br = first_max(&sum, &all);
    let rest: Vec<usize> = all.iter().copied().filter(|&i| i != tl && i != br).collect();
    if rest.len() != 2 {
        return points; // all four sums equal (a degenerate box): keep as is
    }
    let diff = |p: &Point| p[1] - p[0];
    let tr = first_min(&diff, &rest);
    let bl = first_max(&diff, &rest);
    if tr == bl {
        return [points[tl], points[rest[0]], points[br], points[rest[1]]];
    }
    [points[tl], points[tr], points[br], points[bl]]
}

pub fn distance(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Whether pixel `(x, y)` lies inside or on the convex quadrilateral `quad` (either winding).
pub fn quad_contains(quad: &[Point; 4], x: f32, y: f32) -> bool {
    let mut sign = 0f32;
    for i in 0..4 {
        let (a, b) = (quad[i], quad[(i + 1) % 4]);
        let cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
        if cross != 0.0 {
            if sign != 0.0 && cross.signum() != sign {
                return false;
            }
            sign = cross.signum();
        }
    }
    true
}

/// The 3×3 homography mapping `from[i]` to `to[i]` (OpenCV's `getPerspectiveTransform`),
/// row-major with h[8] = 1. `None` when the points are degenerate.
pub fn perspective_transform(from: &[Point; 4], to: &[Point; 4]) -> Option<[f64; 9]> {
    // 8 equations: x' = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), y' likewise with h3..h5.
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (from[i][0] as f64, from[i][1] as f64);
        let (u, v) = (to[i][0] as f64, to[i][1] as f64);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the augmented 8×9 matrix.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let factor = a[row][col] / a[col][col];
                for k in col..9 {
                    a[row][k] -= factor * a[col][k];
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        (a[0] - b[0]).abs() < 1e-3 && (a[1] - b[1]).abs() < 1e-3
    }

    #[test]
    fn hull_drops_inner_and_collinear_points() {
        let hull = convex_hull(&[[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [2.0, 2.0], [0.0, 2.0], [1.0, 1.0]]);
        assert_eq!(hull.len(), 4);
        assert!(!hull.contains(&[1.0, 1.0]) && !hull.contains(&[1.0, 0.0]));
    }

    #[test]
    fn min_area_rect_of_an_axis_aligned_block() {
        let pts: Vec<Point> = (0..=10).flat_map(|x| (0..=4).map(move |y| [x as f32, y as f32])).collect();
        let rect = min_area_rect(&pts).unwrap();
        assert!((rect.width * rect.height - 40.0).abs() < 1e-3);
        assert!((rect.short_side() - 4.0).abs() < 1e-4);
    }

    #[test]
    fn min_area_rect_finds_a_tilted_rectangle() {
        // A 10×2 rectangle turned by 30°.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let pts: Vec<Point> = [[0.0, 0.0], [10.0, 0.0], [10.0, 2.0], [0.0, 2.0]]
            .iter()
            .map(|p: &Point| [p[0] * c - p[1] * s + 50.0, p[0] * s + p[1] * c + 50.0])
            .collect();
        let rect = min_area_rect(&pts).unwrap();
        assert!((rect.width.max(rect.height) - 10.0).abs() < 1e-3 && (rect.short_side() - 2.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_point_sets() {
        assert!(min_area_rect(&[]).is_none());
        assert_eq!(min_area_rect(&[[3.0, 4.0]]).unwrap().short_side(), 0.0);
        assert_eq!(min_area_rect(&[[0.0, 0.0], [5.0, 0.0], [9.0, 0.0]]).unwrap().short_side(), 0.0);
    }

    #[test]
    fn grown_rect_adds_the_distance_on_each_side() {
        let rect = RotatedRect { corners: [[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]], width: 10.0, height: 4.0 };
        let g = rect.grown(1.5);
        assert!(close(g.corners[0], [-1.5, -1.5]) && close(g.corners[2], [11.5, 5.5]));
        assert_eq!((g.width, g.height), (13.0, 7.0));
    }

    #[test]
    fn corner_orders() {
        let corners = [[10.0, 4.0], [0.0, 0.0], [0.0, 4.0], [10.0, 0.0]];
        let want = [[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]];
        assert_eq!(mini_box_order(corners), want);
        assert_eq!(order_clockwise(corners), want);
    }

    #[test]
    fn quad_contains_its_inside_and_edges() {
        let quad = [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]];
        assert!(quad_contains(&quad, 2.0, 1.0) && quad_contains(&quad, 4.0, 2.0));
        assert!(!quad_contains(&quad, 5.0, 1.0));
    }

    #[test]
    fn perspective_transform_maps_the_corners() {
        let from = [[10.0, 20.0], [110.0, 25.0], [105.0, 65.0], [8.0, 60.0]];
        let to = [[0.0, 0.0], [100.0, 0.0], [100.0, 40.0], [0.0, 40.0]];
        let h = perspective_transform(&from, &to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let (x, y) = (f[0] as f64, f[1] as f64);
            let w = h[6] * x + h[7] * y + h[8];
            let (u, v) = ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w);
            assert!((u - t[0] as f64).abs() < 1e-6 && (v - t[1] as f64).abs() < 1e-6);
        }
    }
}
