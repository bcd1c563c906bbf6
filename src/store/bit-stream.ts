/**
 * Bit-level writing and reading for the history chunks (`chunk-codec.ts`). Values are unsigned
 * integers up to 2^53 (JavaScript numbers stay exact there); bit operators work on 32 bits, so
 * wider values go in two parts.
 */

const TWO_32 = 2 ** 32;

export class BitWriter {
  private bytes = new Uint8Array(64);
  /** Bits written so far. */
  private bits = 0;

  get bitLength(): number {
    return this.bits;
  }

  /** Writes the low `n` bits of the non-negative integer `value` (n ≤ 53), most significant first. */
  write(value: number, n: number): void {
    if (n > 32) {
      this.write(Math.floor(value / TWO_32), n - 32);
      this.write(value % TWO_32, 32);
      return;
    }
    this.reserve(n);
    // Fill the current byte, then whole bytes: a bit at a time would be the codec's main cost.
    while (n > 0) {
      const free = 8 - (this.bits & 7);
      const take = Math.min(free, n);
      const part = (value >>> (n - take)) & ((1 << take) - 1);
      this.bytes[this.bits >>> 3]! |= part << (free - take);
      this.bits += take;
      n -= take;
    }
  }

  private reserve(n: number): void {
    const need = (this.bits + n + 7) >>> 3;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
    grown.set(this.bytes);
    this.bytes = grown;
  }

  writeBit(bit: number): void {
    this.reserve(1);
    if (bit) this.bytes[this.bits >>> 3]! |= 0x80 >>> (this.bits & 7);
    this.bits++;
  }

  /** `q` ones and a zero: the quotient of a Rice code. */
  writeUnary(q: number): void {
    for (let i = 0; i < q; i++) this.writeBit(1);
    this.writeBit(0);
  }

  /** The bytes written, the last one zero-padded. */
  finish(): Uint8Array {
    return this.bytes.slice(0, (this.bits + 7) >>> 3);
  }
}

export class BitReader {
  private bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  read(n: number): number {
    if (n > 32) {
      const high = this.read(n - 32);
      return high * TWO_32 + this.read(32);
    }
    if (this.bit + n > this.bytes.length * 8) throw new RangeError('chunk ends early');
    if (n === 0) return 0;
    if (n <= 24) {
      // Four bytes from the current one hold the whole field (offset ≤ 7, so ≤ 31 bits are needed).
      const b = this.bytes;
      const at = this.bit >>> 3;
      const word = (b[at]! << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0);
      const out = (word << (this.bit & 7)) >>> (32 - n);
      this.bit += n;
      return out;
    }
    let out = 0;
    while (n > 0) {
      const avail = 8 - (this.bit & 7);
      const take = Math.min(avail, n);
      const part = (this.bytes[this.bit >>> 3]! >>> (avail - take)) & ((1 << take) - 1);
      out = out * (1 << take) + part;
      this.bit += take;
      n -= take;
    }
    return out;
  }

  readBit(): number {
    const byte = this.bit >>> 3;
    if (byte >= this.bytes.length) throw new RangeError('chunk ends early');
    const b = (this.bytes[byte]! >>> (7 - (this.bit & 7))) & 1;
    this.bit++;
    return b;
  }

  /**
   * Counts ones up to the first zero (consumed) or up to `limit` ones (no zero follows then): the
   * quotient of a Rice code. A byte at a time, counting its leading ones with `clz32`.
   */
  readOnes(limit: number): number {
    let q = 0;
    for (;;) {
      const at = this.bit >>> 3;
      if (at >= this.bytes.length) throw new RangeError('chunk ends early');
      const offset = this.bit & 7;
      const avail = 8 - offset;
      const ones = Math.min(avail, Math.clz32(~(this.bytes[at]! << (24 + offset))));
      if (q + ones >= limit) {
        this.bit += limit - q;
        return limit;
      }
      if (ones < avail) {
        this.bit += ones + 1;
        return q + ones;
      }
      q += avail;
      this.bit += avail;
    }
  }
}

/** Maps signed integers to unsigned ones, small magnitudes to small codes (0, -1, 1, -2 → 0, 1, 2, 3). */
export function zigzag(x: number): number {
  return x >= 0 ? 2 * x : -2 * x - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
