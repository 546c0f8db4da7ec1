/// An axis-aligned rectangle of whole pixels; `x`, `y` is the top-left corner.
public struct Rect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The rectangle covering a whole `width` × `height` image.
    public init(width: Int, height: Int) {
        self.init(x: 0, y: 0, width: width, height: height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// Grown by `amount` pixels on every side (shrunk when negative).
    public func expanded(by amount: Int) -> Rect {
        Rect(x: x - amount, y: y - amount, width: width + 2 * amount, height: height + 2 * amount)
    }

    /// The overlap with `other` (empty when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(maxX, other.maxX), bottom = min(maxY, other.maxY)
        return Rect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }

    /// Whether `other` lies entirely inside.
    public func contains(_ other: Rect) -> Bool {
        other.x >= x && other.y >= y && other.maxX <= maxX && other.maxY <= maxY
    }

    /// With the top-left corner moved down to a multiple of `step` (the size grows
    /// so the far edges stay put).
    public func alignedOrigin(to step: Int) -> Rect {
        guard step > 1 else { return self }
        let ax = floorDivide(x, step) * step, ay = floorDivide(y, step) * step
        return Rect(x: ax, y: ay, width: maxX - ax, height: maxY - ay)
    }

    /// Moved by `dx`, `dy`.
    public func offsetBy(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width, height: height)
    }

    public var description: String { "\(width)×\(height)+\(x)+\(y)" }
}

/// ⌊a / b⌋ for positive `b`.
@inlinable
func floorDivide(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}
