//! A generic protobuf field walk over item payloads: enough to read key fields and to set
//! sequence and metadata fields without knowing the item's message type.

use std::fmt;

/// A payload that is not valid protobuf (or uses deprecated groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed item payload: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// The value of one field occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2.
    Bytes(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

/// One field occurrence in a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// Field number.
    pub number: u32,
    /// Decoded value.
    pub value: Value<'a>,
    /// The field's raw bytes, key included.
    pub raw: &'a [u8],
}

fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, WireError> {
    let mut out = 0u64;
    for shift in (0..70).step_by(7) {
        let byte = *buf
            .get(*pos)
            .ok_or_else(|| WireError("truncated varint".into()))?;
        *pos += 1;
        if shift == 63 && byte > 1 {
            return Err(WireError("varint overflows 64 bits".into()));
        }
        out |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(out);
        }
    }
    Err(WireError("varint too long".into()))
}

fn take<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], WireError> {
    let end = pos
        .checked_add(n)
        .filter(|end| *end <= buf.len())
        .ok_or_else(|| WireError("truncated field".into()))?;
    let out = &buf[*pos..end];
    *pos = end;
    Ok(out)
}

/// Splits a payload into its field occurrences, in order.
///
/// # Errors
/// [`WireError`] when the bytes are not valid protobuf.
pub fn parse(buf: &[u8]) -> Result<Vec<Field<'_>>, WireError> {
    let mut fields = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let start = pos;
        let key = read_varint(buf, &mut pos)?;
        let number = u32::try_from(key >> 3)
            .ok()
            .filter(|n| *n != 0 && *n < (1 << 29))
            .ok_or_else(|| WireError(format!("bad field number in key {key}")))?;
        let value = match key & 7 {
            0 => Value::Varint(read_varint(buf, &mut pos)?),
            1 => {
                let b = take(buf, &mut pos, 8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let len = usize::try_from(read_varint(buf, &mut pos)?)
                    .map_err(|_| WireError("length overflow".into()))?;
                Value::Bytes(take(buf, &mut pos, len)?)
            }
            5 => {
                let b = take(buf, &mut pos, 4)?;
                let mut a = [0u8; 4];
                a.copy_from_slice(b);
                Value::Fixed32(u32::from_le_bytes(a))
            }
            other => return Err(WireError(format!("unsupported wire type {other}"))),
        };
        fields.push(Field {
            number,
            value,
            raw: &buf[start..pos],
        });
    }
    Ok(fields)
}

/// The last occurrence of field `number` (proto3: last one wins).
#[must_use]
pub fn last<'a>(fields: &[Field<'a>], number: u32) -> Option<Value<'a>> {
    fields
        .iter()
        .rev()
        .find(|f| f.number == number)
        .map(|f| f.value)
}

/// Whether field `number` is set to a non-zero value (for a repeated field: has an element), the
/// server's test for a required field.
#[must_use]
pub fn non_zero(fields: &[Field<'_>], number: u32) -> bool {
    fields.iter().any(|f| {
        f.number == number
            && match f.value {
                Value::Varint(v) | Value::Fixed64(v) => v != 0,
                Value::Fixed32(v) => v != 0,
                Value::Bytes(b) => !b.is_empty(),
            }
    })
}

/// Reads an unsigned varint field (0 when absent).
///
/// # Errors
/// When the field is present with another wire type.
pub fn uint(fields: &[Field<'_>], number: u32) -> Result<u64, WireError> {
    match last(fields, number) {
        None => Ok(0),
        Some(Value::Varint(v)) => Ok(v),
        Some(_) => Err(WireError(format!("field {number} is not a varint"))),
    }
}

/// Reads a `sint64` (zigzag) field (0 when absent).
///
/// # Errors
/// When the field is present with another wire type.
pub fn sint(fields: &[Field<'_>], number: u32) -> Result<i64, WireError> {
    uint(fields, number).map(unzigzag)
}

/// Reads a string field ("" when absent).
///
/// # Errors
/// When the field is present with another wire type or is not UTF-8.
pub fn string(fields: &[Field<'_>], number: u32) -> Result<String, WireError> {
    match last(fields, number) {
        None => Ok(String::new()),
        Some(Value::Bytes(b)) => std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| WireError(format!("field {number} is not UTF-8"))),
        Some(_) => Err(WireError(format!("field {number} is not length-delimited"))),
    }
}

/// Zigzag-decodes a `sint64`.
#[must_use]
pub fn unzigzag(v: u64) -> i64 {
    // Bit reinterpretation is the point of zigzag.
    #[allow(clippy::cast_possible_wrap)]
    let half = (v >> 1) as i64;
    half ^ -((v & 1) as i64)
}

/// Zigzag-encodes a `sint64`.
#[must_use]
pub fn zigzag(v: i64) -> u64 {
    #[allow(clippy::cast_sign_loss)]
    let out = ((v << 1) ^ (v >> 63)) as u64;
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        // Truncation to the low 7 bits is intended.
        #[allow(clippy::cast_possible_truncation)]
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    #[allow(clippy::cast_possible_truncation)]
    out.push(v as u8);
}

/// Returns `buf` with every occurrence of varint field `number` replaced by `value`
/// (removed when `value` is 0, as proto3 omits defaults). The new field goes where the first
/// old one was, or before the first higher-numbered field, so canonical order is kept.
///
/// # Errors
/// [`WireError`] when `buf` is not valid protobuf.
pub fn set_varint(buf: &[u8], number: u32, value: u64) -> Result<Vec<u8>, WireError> {
    let fields = parse(buf)?;
    let mut encoded = Vec::new();
    if value != 0 {
        put_varint(&mut encoded, u64::from(number) << 3);
        put_varint(&mut encoded, value);
    }
    let mut out = Vec::with_capacity(buf.len() + encoded.len());
    let mut placed = false;
    for f in &fields {
        if !placed && f.number >= number {
            out.extend_from_slice(&encoded);
            placed = true;
        }
        if f.number != number {
            out.extend_from_slice(f.raw);
        }
    }
    if !placed {
        out.extend_from_slice(&encoded);
    }
    Ok(out)
}

/// [`set_varint`] for a `sint64` field.
///
/// # Errors
/// [`WireError`] when `buf` is not valid protobuf.
pub fn set_sint(buf: &[u8], number: u32, value: i64) -> Result<Vec<u8>, WireError> {
    set_varint(buf, number, zigzag(value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_round_trips() {
        for v in [0i64, 1, -1, 2, -2, i64::MAX, i64::MIN, 1_700_000_000_000] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
    }

    #[test]
    fn parses_and_reads_fields() {
        // 1: "ab", 3: 300, 5: sint -2, 7: fixed32, 8: fixed64
        let buf = [
            0x0a, 2, b'a', b'b', 0x18, 0xac, 0x02, 0x28, 3, 0x3d, 1, 0, 0, 0, 0x41, 2, 0, 0, 0, 0,
            0, 0, 0,
        ];
        let f = parse(&buf).unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(string(&f, 1).unwrap(), "ab");
        assert_eq!(uint(&f, 3).unwrap(), 300);
        assert_eq!(sint(&f, 5).unwrap(), -2);
        assert_eq!(uint(&f, 9).unwrap(), 0);
        assert!(uint(&f, 1).is_err());
        assert!(string(&f, 3).is_err());
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse(&[0x0a, 5, 1]).is_err());
        assert!(parse(&[0x0b]).is_err());
        assert!(parse(&[0x80]).is_err());
    }

    #[test]
    fn set_varint_keeps_canonical_order() {
        let buf = [0x08, 1, 0x18, 3];
        assert_eq!(
            set_varint(&buf, 2, 5).unwrap(),
            vec![0x08, 1, 0x10, 5, 0x18, 3]
        );
        assert_eq!(set_varint(&buf, 1, 9).unwrap(), vec![0x08, 9, 0x18, 3]);
        assert_eq!(
            set_varint(&buf, 4, 1).unwrap(),
            vec![0x08, 1, 0x18, 3, 0x20, 1]
        );
        assert_eq!(set_varint(&buf, 1, 0).unwrap(), vec![0x18, 3]);
        assert_eq!(set_sint(&[], 9, -1).unwrap(), vec![0x48, 1]);
    }
}
