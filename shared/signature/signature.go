package signature

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Limits on what Parse accepts.
const (
	MaxSide   = 4096    // largest canvas width or height, in pixels
	MaxPoints = 100000  // most points over all strokes
	MaxBytes  = 8 << 20 // largest encoded signature Parse reads
)

// ErrInvalid is wrapped by every error Parse and Validate return.
var ErrInvalid = errors.New("invalid signature")

// Point is one sample of the pen: X and Y in canvas pixels from the top-left
// corner, T in milliseconds since the first point of the signature.
type Point struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
	T int64   `json:"t"`
}

// Strokes is a signature: the canvas size and the pen's strokes, each a run of
// points drawn without lifting the pen. A stroke of one point is a dot.
type Strokes struct {
	Width   int       `json:"width"`
	Height  int       `json:"height"`
	Strokes [][]Point `json:"strokes"`
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse decodes a signature from its JSON form and validates it; unknown
// fields and anything after the JSON object are refused.
func Parse(data []byte) (Strokes, error) {
	if len(data) > MaxBytes {
		return Strokes{}, invalid("%d bytes, more than the %d allowed", len(data), MaxBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Strokes
	if err := dec.Decode(&s); err != nil {
		if err == io.EOF {
			return Strokes{}, invalid("invalid JSON: empty input")
		}
		return Strokes{}, invalid("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Strokes{}, invalid("trailing data after the JSON object at offset %d", dec.InputOffset())
	}
	if err := s.Validate(); err != nil {
		return Strokes{}, err
	}
	return s, nil
}

// Validate reports the first thing that makes s unacceptable: a width or
// height outside 1..MaxSide, no strokes, an empty stroke, a non-finite
// coordinate, a point outside the canvas (edges included) or more than
// MaxPoints points.
func (s Strokes) Validate() error {
	if s.Width < 1 || s.Width > MaxSide {
		return invalid("width %d not in 1..%d", s.Width, MaxSide)
	}
	if s.Height < 1 || s.Height > MaxSide {
		return invalid("height %d not in 1..%d", s.Height, MaxSide)
	}
	if len(s.Strokes) == 0 {
		return invalid("no strokes")
	}
	total := 0
	w, h := float64(s.Width), float64(s.Height)
	for i, stroke := range s.Strokes {
		if len(stroke) == 0 {
			return invalid("stroke %d has no points", i)
		}
		total += len(stroke)
		if total > MaxPoints {
			return invalid("more than %d points in total", MaxPoints)
		}
		for j, p := range stroke {
			x, y := float64(p.X), float64(p.Y)
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				return invalid("stroke %d point %d has a non-finite coordinate (%v, %v)", i, j, p.X, p.Y)
			}
			if x < 0 || x > w || y < 0 || y > h {
				return invalid("stroke %d point %d (%v, %v) outside the %dx%d canvas", i, j, p.X, p.Y, s.Width, s.Height)
			}
		}
	}
	return nil
}

// Encode returns the canonical JSON form of s: fields in the order width,
// height, strokes; x, y, t; no spaces; coordinates in the shortest form that
// reads back to the same float32. A valid s round-trips through Parse; an
// invalid one encodes to something Parse refuses.
func (s Strokes) Encode() []byte {
	n := 0
	for _, st := range s.Strokes {
		n += len(st)
	}
	b := make([]byte, 0, 48+n*32)
	b = append(b, `{"width":`...)
	b = strconv.AppendInt(b, int64(s.Width), 10)
	b = append(b, `,"height":`...)
	b = strconv.AppendInt(b, int64(s.Height), 10)
	b = append(b, `,"strokes":[`...)
	for i, st := range s.Strokes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, p := range st {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"x":`...)
			b = appendFloat(b, p.X)
			b = append(b, `,"y":`...)
			b = appendFloat(b, p.Y)
			b = append(b, `,"t":`...)
			b = strconv.AppendInt(b, p.T, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, "]}"...)
	return b
}

func appendFloat(b []byte, f float32) []byte {
	if f == 0 {
		return append(b, '0') // also turns -0 into 0
	}
	// NaN and ±Inf come out as bare words, which are not JSON: Parse refuses them.
	return strconv.AppendFloat(b, float64(f), 'f', -1, 32)
}
