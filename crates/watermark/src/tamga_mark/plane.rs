//! A luminance plane and the box filters the embedder's masking and the
//! detector's residual are made of.

use image::DynamicImage;

/// One channel of f32 samples on the 0..255 scale, row-major.
pub(super) struct Plane {
    /// Width in pixels.
    pub(super) width: usize,
    /// Height in pixels.
    pub(super) height: usize,
    /// The samples.
    pub(super) data: Vec<f32>,
}

impl Plane {
    /// Rec. 601 luma of the image's stored pixels, on the 0..255 scale
    /// whatever the bit depth.
    pub(super) fn luma(img: &DynamicImage) -> Plane {
        let (width, height) = (img.width() as usize, img.height() as usize);
        let data = match img {
            DynamicImage::ImageLuma8(b) => b.pixels().map(|p| f32::from(p.0[0])).collect(),
            DynamicImage::ImageLumaA8(b) => b.pixels().map(|p| f32::from(p.0[0])).collect(),
            DynamicImage::ImageRgb8(b) => {
                b.pixels().map(|p| luma8(p.0[0], p.0[1], p.0[2])).collect()
            }
            DynamicImage::ImageRgba8(b) => {
                b.pixels().map(|p| luma8(p.0[0], p.0[1], p.0[2])).collect()
            }
            other => other
                .to_rgb32f()
                .pixels()
                .map(|p| 255.0 * (0.299 * p.0[0] + 0.587 * p.0[1] + 0.114 * p.0[2]))
                .collect(),
        };
        Plane {
            width,
            height,
            data,
        }
    }

    /// Mean over the `(2r + 1)²` box around each sample, the box shrunk at
    /// the borders. Running sums along the rows, then down the columns a
    /// whole row at a time (so memory is read in order): linear in the
    /// area whatever `r`.
    pub(super) fn box_mean(&self, r: usize) -> Plane {
        let (w, h) = (self.width, self.height);
        let mut rows = vec![0f32; w * h];
        for (src, out) in self.data.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
            running_mean(src, r, out);
        }
        let mut out = vec![0f32; w * h];
        // Sum of rows y - r ..= y + r (clipped), per column.
        let mut sum = vec![0f32; w];
        let mut count = 0usize;
        for row in rows.chunks_exact(w).take(r + 1) {
            sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            count += 1;
        }
        for y in 0..h {
            let inv = 1.0 / count as f32;
            out[y * w..(y + 1) * w]
                .iter_mut()
                .zip(&sum)
                .for_each(|(o, s)| *o = s * inv);
            let add = y + r + 1;
            if add < h {
                sum.iter_mut()
                    .zip(&rows[add * w..(add + 1) * w])
                    .for_each(|(s, v)| *s += v);
                count += 1;
            }
            if y >= r {
                sum.iter_mut()
                    .zip(&rows[(y - r) * w..(y - r + 1) * w])
                    .for_each(|(s, v)| *s -= v);
                count -= 1;
            }
        }
        Plane {
            width: w,
            height: h,
            data: out,
        }
    }

    /// The central part at most `side` × `side`.
    pub(super) fn centre(&self, side: usize) -> Plane {
        let (w, h) = (self.width.min(side), self.height.min(side));
        if (w, h) == (self.width, self.height) {
            return Plane {
                width: w,
                height: h,
                data: self.data.clone(),
            };
        }
        let (x0, y0) = ((self.width - w) / 2, (self.height - h) / 2);
        let mut data = Vec::with_capacity(w * h);
        for y in y0..y0 + h {
            data.extend_from_slice(&self.data[y * self.width + x0..y * self.width + x0 + w]);
        }
        Plane {
            width: w,
            height: h,
            data,
        }
    }
}

fn luma8(r: u8, g: u8, b: u8) -> f32 {
    0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
}

/// Box mean of radius `r` over a line, the window clipped to the line.
fn running_mean(src: &[f32], r: usize, out: &mut [f32]) {
    let n = src.len();
    if n == 0 {
        return;
    }
    // f64 sums: a long line of large values loses no precision.
    let mut sum: f64 = src[..(r + 1).min(n)].iter().map(|&v| f64::from(v)).sum();
    let mut count = (r + 1).min(n);
    for i in 0..n {
        out[i] = (sum / count as f64) as f32;
        // Slide: add i + r + 1, drop i - r.
        let add = i + r + 1;
        if add < n {
            sum += f64::from(src[add]);
            count += 1;
        }
        if i >= r {
            sum -= f64::from(src[i - r]);
            count -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_mean_matches_a_direct_sum() {
        let (w, h) = (13, 7);
        let data: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 101) as f32).collect();
        let p = Plane {
            width: w,
            height: h,
            data: data.clone(),
        };
        let r = 2;
        let m = p.box_mean(r);
        for y in 0..h {
            for x in 0..w {
                let (mut s, mut c) = (0f32, 0f32);
                for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                    for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                        s += data[yy * w + xx];
                        c += 1.0;
                    }
                }
                assert!((m.data[y * w + x] - s / c).abs() < 1e-3, "{x},{y}");
            }
        }
    }
}
