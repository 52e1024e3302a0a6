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
    /// the borders. Two passes of running sums: linear in the area whatever
    /// `r`.
    pub(super) fn box_mean(&self, r: usize) -> Plane {
        let (w, h) = (self.width, self.height);
        let mut tmp = vec![0f32; w * h];
        for y in 0..h {
            running_mean(
                &self.data[y * w..(y + 1) * w],
                r,
                &mut tmp[y * w..(y + 1) * w],
            );
        }
        let mut out = vec![0f32; w * h];
        let mut col = vec![0f32; h];
        let mut col_out = vec![0f32; h];
        for x in 0..w {
            for y in 0..h {
                col[y] = tmp[y * w + x];
            }
            running_mean(&col, r, &mut col_out);
            for y in 0..h {
                out[y * w + x] = col_out[y];
            }
        }
        Plane {
            width: w,
            height: h,
            data: out,
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
