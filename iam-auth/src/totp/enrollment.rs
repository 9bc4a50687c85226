//! Enrollment of a virtual MFA device: the `otpauth://` URI and its QR code as a PNG image.

use qrcode::{Color, EcLevel, QrCode};

use super::{DEFAULT_STEP_SECONDS, Totp, TotpAlgorithm};
use crate::AuthError;
use crate::sigv4::push_uri_encoded;

/// The width of one QR module in the PNG, in pixels.
pub const QR_MODULE_PIXELS: usize = 4;

/// The quiet zone around the QR symbol, in modules, as ISO/IEC 18004 requires.
pub const QR_QUIET_ZONE_MODULES: usize = 4;

impl Totp {
    /// Returns the enrollment URI for `CreateVirtualMFADevice`:
    /// `otpauth://totp/<device name>@<account name>?secret=<Base32 seed>`.
    ///
    /// `account_name` is the user name when the device belongs to a user, otherwise the
    /// account id. The `issuer` parameter is added when given, and `algorithm`, `digits` and
    /// `period` only when they differ from SHA-1, 6 and 30.
    pub fn enrollment_uri(
        &self,
        device_name: &str,
        account_name: &str,
        issuer: Option<&str>,
    ) -> String {
        let mut uri = String::from("otpauth://totp/");
        push_uri_encoded(&mut uri, device_name.as_bytes());
        uri.push('@');
        push_uri_encoded(&mut uri, account_name.as_bytes());
        uri.push_str("?secret=");
        uri.push_str(&self.seed.to_base32());
        if let Some(issuer) = issuer {
            uri.push_str("&issuer=");
            push_uri_encoded(&mut uri, issuer.as_bytes());
        }
        let parameters = self.parameters;
        if parameters.algorithm != TotpAlgorithm::Sha1 {
            uri.push_str("&algorithm=");
            uri.push_str(parameters.algorithm.as_str());
        }
        if parameters.digits != 6 {
            uri.push_str(&format!("&digits={}", parameters.digits));
        }
        if parameters.step_seconds != DEFAULT_STEP_SECONDS {
            uri.push_str(&format!("&period={}", parameters.step_seconds));
        }
        uri
    }

    /// Renders the enrollment URI as a QR code in a black-and-white PNG, as
    /// `CreateVirtualMFADevice` returns it in `QRCodePNG` (before Base64).
    ///
    /// # Errors
    ///
    /// [`AuthError::QrCode`] when the URI does not fit in a QR code or PNG encoding fails.
    pub fn enrollment_qr_png(
        &self,
        device_name: &str,
        account_name: &str,
        issuer: Option<&str>,
    ) -> Result<Vec<u8>, AuthError> {
        let uri = self.enrollment_uri(device_name, account_name, issuer);
        qr_code_png(uri.as_bytes())
    }
}

/// Encodes `data` as a QR code (error correction level M) in a 1-bit grayscale PNG, with
/// [`QR_MODULE_PIXELS`] pixels per module and a quiet zone of [`QR_QUIET_ZONE_MODULES`].
///
/// # Errors
///
/// [`AuthError::QrCode`] when `data` does not fit in a QR code or PNG encoding fails.
pub fn qr_code_png(data: &[u8]) -> Result<Vec<u8>, AuthError> {
    let code = QrCode::with_error_correction_level(data, EcLevel::M)
        .map_err(|error| AuthError::QrCode(error.to_string()))?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QR_QUIET_ZONE_MODULES;
    let side_pixels = side_modules * QR_MODULE_PIXELS;
    let side = u32::try_from(side_pixels)
        .map_err(|_| AuthError::QrCode("the QR code is too large".to_owned()))?;

    // One bit per pixel, most significant bit first; 1 is white and 0 is black.
    let row_bytes = side_pixels.div_ceil(8);
    let mut pixels = vec![0xffu8; row_bytes * side_pixels];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let module_x = index % modules + QR_QUIET_ZONE_MODULES;
        let module_y = index / modules + QR_QUIET_ZONE_MODULES;
        for y in module_y * QR_MODULE_PIXELS..(module_y + 1) * QR_MODULE_PIXELS {
            for x in module_x * QR_MODULE_PIXELS..(module_x + 1) * QR_MODULE_PIXELS {
                if let Some(byte) = pixels.get_mut(y * row_bytes + x / 8) {
                    *byte &= !(0x80 >> (x % 8));
                }
            }
        }
    }

    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let png_error = |error: png::EncodingError| AuthError::QrCode(error.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(png_bytes)
}
