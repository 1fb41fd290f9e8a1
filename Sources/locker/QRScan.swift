import CPNG
import CZbar

/// QR codes in a PNG image, read in-process (no zbarimg, no ImageMagick): libpng's simplified
/// API turns any PNG into 8-bit grey pixels, and zbar finds and decodes the QR symbols.
enum QRScan {
    /// The image could not be read; the description says why, in one line.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether the bytes are a PNG file (by its signature).
    static func isPNG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    /// The text of every QR code in the image, in zbar's order.
    static func texts(png: [UInt8]) throws -> [String] {
        let (width, height, pixels) = try grey(png)
        return try scan(width: width, height: height, pixels: pixels)
    }

    /// The image as 8-bit grey, one byte a pixel, rows top down; transparency composed on white.
    static func grey(_ png: [UInt8]) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let began = png.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw Unreadable(description: "not a PNG image libpng can read") }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0, width * height <= 64 << 20 else {
            png_image_free(&image)
            throw Unreadable(description: "the image is \(width)×\(height) pixels; at most 64 megapixels are read")
        }
        image.format = png_uint_32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 255, count: width * height)
        var white = png_color(red: 255, green: 255, blue: 255)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, &white, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw Unreadable(description: "the PNG image is damaged (libpng could not decode it)") }
        return (width, height, pixels)
    }

    /// zbar's reading of grey pixels: the text of each QR symbol found.
    static func scan(width: Int, height: Int, pixels: [UInt8]) throws -> [String] {
        guard let scanner = zbar_image_scanner_create() else { throw Unreadable(description: "zbar could not start") }
        defer { zbar_image_scanner_destroy(scanner) }
        // QR codes only: other symbologies could misread module patterns as barcodes.
        _ = zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        _ = zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        guard let image = zbar_image_create() else { throw Unreadable(description: "zbar could not start") }
        defer { zbar_image_destroy(image) }
        zbar_image_set_format(image, 0x3030_3859)  // fourcc "Y800": 8-bit grey, one byte a pixel
        zbar_image_set_size(image, UInt32(width), UInt32(height))
        return pixels.withUnsafeBytes { buffer -> [String] in
            // No cleanup handler: the pixels are Swift's, and zbar lets go of them below.
            zbar_image_set_data(image, buffer.baseAddress, UInt(buffer.count), nil)
            defer { zbar_image_set_data(image, nil, 0, nil) }
            guard zbar_scan_image(scanner, image) > 0 else { return [] }
            var texts = [String]()
            var symbol = zbar_image_first_symbol(image)
            while let current = symbol {
                if zbar_symbol_get_type(current) == ZBAR_QRCODE, let data = zbar_symbol_get_data(current) {
                    let count = Int(zbar_symbol_get_data_length(current))
                    texts.append(String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self))
                }
                symbol = zbar_symbol_next(current)
            }
            return texts
        }
    }
}
