//! The badge as a transparent picture for ffmpeg to lay over the frames.
//!
//! It is drawn with the image badge's own code ([`badge::draw`]) on a
//! transparent canvas the size of the frame *as displayed*, in the corner
//! asked for, then turned into the stored orientation: a phone clip keeps
//! its rotation flag (ffmpeg runs with `-noautorotate`), so the badge must
//! be turned the other way for a player's rotation to put it back.
//!
//! On a transparent canvas the box gets the image badge's opacity and the
//! letters are opaque white, so laid over a frame it looks as it does on
//! a picture; only the antialiased edges of letters blend a little
//! differently.

use image::{imageops, RgbaImage};

use crate::{
    error::NoticeError,
    images::badge::{self, Badge},
    NoticePosition,
};

/// The badge over a `width`×`height` stored frame whose display matrix
/// turns it by `rotation` degrees counter-clockwise (ffprobe's figure).
pub(crate) fn render(
    (width, height): (u32, u32),
    rotation: u32,
    candidates: &[Vec<String>],
    corner: NoticePosition,
) -> Result<(Badge, RgbaImage), NoticeError> {
    let turned = rotation % 180 == 90;
    let (dw, dh) = if turned {
        (height, width)
    } else {
        (width, height)
    };
    let mut canvas = RgbaImage::new(dw, dh);
    let drawn = badge::draw(&mut canvas, candidates, corner)?;
    // A player shows the stored frame turned counter-clockwise by
    // `rotation`; the overlay is turned clockwise by as much beforehand.
    let stored = match rotation {
        90 => imageops::rotate90(&canvas),
        180 => imageops::rotate180(&canvas),
        270 => imageops::rotate270(&canvas),
        _ => canvas,
    };
    Ok((drawn, stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<Vec<String>> {
        vec![vec!["AI-generated".into()], vec!["AI".into()]]
    }

    /// The bounding box of the visible pixels.
    fn visible(img: &RgbaImage) -> (u32, u32, u32, u32) {
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for (x, y, p) in img.enumerate_pixels() {
            if p[3] > 0 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
        (x0, y0, x1, y1)
    }

    #[test]
    fn the_box_is_visible_and_the_rest_transparent() {
        let (drawn, img) = render((640, 360), 0, &candidates(), NoticePosition::TopRight).unwrap();
        assert_eq!(img.dimensions(), (640, 360));
        let (x0, y0, x1, _) = visible(&img);
        assert_eq!((x0, y0), (drawn.rect.0, drawn.rect.1));
        assert!(x1 > 600 && y0 < 20, "top-right: {:?}", drawn.rect);
        assert!(drawn.share >= 0.05);
        // Letters are opaque white, the box dark and partly transparent.
        assert!(img.pixels().any(|p| p[3] == 255 && p[0] > 250));
        assert!(img.pixels().any(|p| p[3] > 150 && p[3] < 255 && p[0] == 0));
    }

    #[test]
    fn a_turned_frame_gets_a_turned_badge_that_a_player_turns_back() {
        for rotation in [90, 180, 270] {
            let (_, stored) = render(
                (640, 360),
                rotation,
                &candidates(),
                NoticePosition::TopRight,
            )
            .unwrap();
            assert_eq!(stored.dimensions(), (640, 360), "{rotation}");
            // What a player shows: the stored frame turned counter-clockwise.
            let shown = match rotation {
                90 => imageops::rotate270(&stored),
                180 => imageops::rotate180(&stored),
                _ => imageops::rotate90(&stored),
            };
            let (w, _) = shown.dimensions();
            let (x0, y0, x1, _) = visible(&shown);
            assert!(
                x1 + 20 > w && y0 < 20 && x0 > w / 3,
                "{rotation}: badge not top-right"
            );
        }
    }
}
