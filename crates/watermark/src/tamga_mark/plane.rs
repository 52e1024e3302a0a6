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
        Plane::luma_centre(img, usize::MAX)
    }

    /// Rec. 601 luma of the central part of the image at most `side` ×
    /// `side`: only the pixels used are converted, so a detector that
    /// works on the centre of a 12-megapixel image does not pay for all
    /// of it.
    pub(super) fn luma_centre(img: &DynamicImage, side: usize) -> Plane {
        let (iw, ih) = (img.width() as usize, img.height() as usize);
        let (width, height) = (iw.min(side), ih.min(side));
        let (x0, y0) = ((iw - width) / 2, (ih - height) / 2);
        let win = (x0, y0, width, height);
        let data = match img {
            DynamicImage::ImageLuma8(b) => gather(b.as_raw(), 1, iw, win, |p| f32::from(p[0])),
            DynamicImage::ImageLumaA8(b) => gather(b.as_raw(), 2, iw, win, |p| f32::from(p[0])),
            DynamicImage::ImageRgb8(b) => {
                gather(b.as_raw(), 3, iw, win, |p| luma8(p[0], p[1], p[2]))
            }
            DynamicImage::ImageRgba8(b) => {
                gather(b.as_raw(), 4, iw, win, |p| luma8(p[0], p[1], p[2]))
            }
            other => other
                .crop_imm(x0 as u32, y0 as u32, width as u32, height as u32)
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
    /// the borders.
    pub(super) fn box_mean(&self, r: usize) -> Plane {
        let (w, h) = (self.width, self.height);
        let mut data = vec![0f32; w * h];
        let inv_x = inverse_counts(w, r);
        let mut column = Padded::new(w, r);
        for (y, out) in data.chunks_exact_mut(w).enumerate() {
            let rows = y.saturating_sub(r)..(y + r + 1).min(h);
            let inv_y = 1.0 / rows.len() as f32;
            column.set_row(self.row(rows.start));
            for yy in rows.start + 1..rows.end {
                column.add_row(self.row(yy));
            }
            column.box_sum(r, out);
            out.iter_mut()
                .zip(&inv_x)
                .for_each(|(o, i)| *o *= i * inv_y);
        }
        Plane {
            width: w,
            height: h,
            data,
        }
    }

    /// Row `y`.
    pub(super) fn row(&self, y: usize) -> &[f32] {
        &self.data[y * self.width..(y + 1) * self.width]
    }
}

/// A row of sums with `pad` zeros either side, so that box sums along it
/// need no border cases.
///
/// Box filters here sum directly rather than with running sums: each
/// output is a short sum of whole rows or shifted rows, which the compiler
/// turns into vector adds, where a running sum is one long serial chain;
/// and nothing drifts.
pub(super) struct Padded {
    pad: usize,
    data: Vec<f32>,
}

impl Padded {
    /// A zero row `width` long, padded by `pad` either side.
    pub(super) fn new(width: usize, pad: usize) -> Self {
        Padded {
            pad,
            data: vec![0f32; width + 2 * pad],
        }
    }

    /// The row itself, without the padding.
    pub(super) fn values(&self) -> &[f32] {
        &self.data[self.pad..self.data.len() - self.pad]
    }

    fn inner(&mut self) -> &mut [f32] {
        let n = self.data.len() - self.pad;
        &mut self.data[self.pad..n]
    }

    /// Sets the row to zero.
    pub(super) fn clear(&mut self) {
        self.data.fill(0.0);
    }

    /// Sets the row to `src`.
    pub(super) fn set_row(&mut self, src: &[f32]) {
        self.inner().copy_from_slice(src);
    }

    /// Adds `src` to the row.
    pub(super) fn add_row(&mut self, src: &[f32]) {
        self.inner().iter_mut().zip(src).for_each(|(s, v)| *s += v);
    }

    /// Adds `src` squared to the row.
    pub(super) fn add_square(&mut self, src: &[f32]) {
        self.inner()
            .iter_mut()
            .zip(src)
            .for_each(|(s, v)| *s += v * v);
    }

    /// `out[x]` = the sum of the row over `x - r ..= x + r` (`r` at most
    /// the padding).
    pub(super) fn box_sum(&self, r: usize, out: &mut [f32]) {
        let n = out.len();
        let first = self.pad - r;
        out.copy_from_slice(&self.data[first..first + n]);
        for k in 1..=2 * r {
            out.iter_mut()
                .zip(&self.data[first + k..first + k + n])
                .for_each(|(o, v)| *o += v);
        }
    }
}

/// For each of `n` positions, one over the number of positions within `r`
/// of it (the box clipped at the ends).
pub(super) fn inverse_counts(n: usize, r: usize) -> Vec<f32> {
    (0..n)
        .map(|i| 1.0 / ((i + r + 1).min(n) - i.saturating_sub(r)) as f32)
        .collect()
}

/// `f` of every pixel in the window `(x0, y0, width, height)` of an
/// 8-bit buffer `iw` pixels wide with `n` samples a pixel, row-major.
fn gather(
    raw: &[u8],
    n: usize,
    iw: usize,
    (x0, y0, width, height): (usize, usize, usize, usize),
    f: impl Fn(&[u8]) -> f32,
) -> Vec<f32> {
    let mut data = Vec::with_capacity(width * height);
    for row in raw.chunks_exact(iw * n).skip(y0).take(height) {
        data.extend(row[x0 * n..(x0 + width) * n].chunks_exact(n).map(&f));
    }
    data
}

fn luma8(r: u8, g: u8, b: u8) -> f32 {
    0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
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

    #[test]
    fn the_centre_is_cut_before_conversion_as_after() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(11, 8, |x, y| {
            image::Rgb([(x * 23) as u8, (y * 31) as u8, ((x * y) % 256) as u8])
        }));
        let whole = Plane::luma(&img);
        for (side, img) in [
            (5, img.clone()),
            (5, DynamicImage::ImageRgb16(img.to_rgb16())),
        ] {
            let c = Plane::luma_centre(&img, side);
            assert_eq!((c.width, c.height), (5, 5));
            // The centre of 11 × 8 at side 5 starts at (3, 1).
            for y in 0..5 {
                for x in 0..5 {
                    let want = whole.data[(y + 1) * 11 + x + 3];
                    assert!((c.data[y * 5 + x] - want).abs() < 1e-3, "{x},{y}");
                }
            }
        }
    }
}
