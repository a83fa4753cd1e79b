package liveness

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits of the legacy PyTorch reader. The two shipped files hold 334 and 370 tensors of at
// most 65,536 elements; the bounds leave room for retrained weights of the same networks
// while keeping a hostile file's memory cost small.
const (
	maxPthBytes   = 16 << 20
	maxTensors    = 1024
	maxMemo       = 1 << 16
	maxStack      = 4096
	maxStringLen  = 256
	maxTensorElem = 1 << 22
	maxDims       = 4
)

// pthMagic is torch's legacy serialization magic number 0x1950a86a20f9469cfc6c.
var pthMagic = []byte{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// tensor is one float32 state-dict entry, C-contiguous.
type tensor struct {
	shape []int
	data  []float32
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Pickle values. Only what torch's legacy save of a state dict produces is representable.
type (
	pglobal  struct{ module, name string }
	pmark    struct{}
	ptuple   []any
	plist    []any
	pdict    struct{ keys, vals []any }
	pstorage struct {
		key   string
		float bool // FloatStorage; else LongStorage
		numel int
	}
	ptensor struct {
		storage *pstorage
		shape   []int
	}
	pscalar struct{} // a LongStorage tensor (num_batches_tracked): read and dropped
)

// readPth parses the legacy (pre-1.6, non-zip) torch serialization of a float32 state dict:
// five protocol-2 pickles (magic, protocol 1001, sys_info, state dict, storage keys) followed
// by one raw record per storage and nothing else. Every structure is checked; anything else
// is ErrModelFormat.
func readPth(b []byte) (map[string]*tensor, error) {
	if len(b) > maxPthBytes {
		return nil, formatErr("file of %d bytes, limit %d", len(b), maxPthBytes)
	}
	r := &pickleReader{b: b}
	magic, err := r.load()
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(plong); !ok || string(m) != string(pthMagic) {
		return nil, formatErr("not a legacy torch file (magic)")
	}
	if v, err := r.load(); err != nil {
		return nil, err
	} else if v != int64(1001) {
		return nil, formatErr("protocol version %v, want 1001", v)
	}
	if err := r.sysInfo(); err != nil {
		return nil, err
	}
	sd, err := r.load()
	if err != nil {
		return nil, err
	}
	entries, ok := sd.(*pdict)
	if !ok {
		return nil, formatErr("state dict is not an OrderedDict")
	}
	keysV, err := r.load()
	if err != nil {
		return nil, err
	}
	keys, ok := keysV.(plist)
	if !ok || len(keys) != len(r.storages) {
		return nil, formatErr("storage key list does not match the %d storages", len(r.storages))
	}
	// Raw records, in key-list order: int64 count, then the elements.
	data := make(map[string][]float32, len(keys))
	off := r.pos
	for _, k := range keys {
		ks, ok := k.(string)
		if !ok {
			return nil, formatErr("storage key is not a string")
		}
		st, ok := r.storages[ks]
		if !ok {
			return nil, formatErr("storage key %q not referenced", ks)
		}
		if _, dup := data[ks]; dup {
			return nil, formatErr("storage key %q listed twice", ks)
		}
		if len(b)-off < 8 {
			return nil, formatErr("truncated storage %q", ks)
		}
		n := binary.LittleEndian.Uint64(b[off:])
		off += 8
		if n != uint64(st.numel) {
			return nil, formatErr("storage %q holds %d elements, pickle says %d", ks, n, st.numel)
		}
		size := 8
		if st.float {
			size = 4
		}
		if uint64(len(b)-off) < n*uint64(size) {
			return nil, formatErr("truncated storage %q", ks)
		}
		if st.float {
			f := make([]float32, n)
			for i := range f {
				f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*i:]))
			}
			data[ks] = f
		} else {
			data[ks] = nil
		}
		off += int(n) * size
	}
	if off != len(b) {
		return nil, formatErr("%d trailing bytes", len(b)-off)
	}
	out := make(map[string]*tensor, len(entries.keys))
	for i, k := range entries.keys {
		name, ok := k.(string)
		if !ok {
			return nil, formatErr("state dict key is not a string")
		}
		name = strings.TrimPrefix(name, "module.")
		if _, dup := out[name]; dup {
			return nil, formatErr("tensor %q twice", name)
		}
		switch v := entries.vals[i].(type) {
		case pscalar:
			continue
		case *ptensor:
			if v.storage.numel != numel(v.shape) {
				return nil, formatErr("tensor %q does not own its whole storage", name)
			}
			out[name] = &tensor{shape: v.shape, data: data[v.storage.key]}
		default:
			return nil, formatErr("state dict value %q is not a tensor", name)
		}
	}
	return out, nil
}

// plong is a LONG1 integer's little-endian two's-complement bytes.
type plong []byte

// pickleReader runs the subset of the pickle machine the legacy torch format uses.
type pickleReader struct {
	b        []byte
	pos      int
	stack    []any
	memo     map[uint32]any
	storages map[string]*pstorage
}

// sysInfo checks the third pickle: little-endian, with the sizes the raw records assume.
func (r *pickleReader) sysInfo() error {
	v, err := r.load()
	if err != nil {
		return err
	}
	d, ok := v.(*pdict)
	if !ok {
		return formatErr("sys_info is not a dict")
	}
	le, _ := d.get("little_endian")
	if le != true {
		return formatErr("not little-endian")
	}
	return nil
}

func (d *pdict) get(k string) (any, bool) {
	for i, key := range d.keys {
		if key == k {
			return d.vals[i], true
		}
	}
	return nil, false
}

// load reads one pickle (PROTO 2 ... STOP) and returns its value.
func (r *pickleReader) load() (any, error) {
	r.stack = r.stack[:0]
	r.memo = make(map[uint32]any)
	if r.storages == nil {
		r.storages = make(map[string]*pstorage)
	}
	if r.pos+2 > len(r.b) || r.b[r.pos] != 0x80 || r.b[r.pos+1] != 2 {
		return nil, formatErr("expected a protocol-2 pickle at byte %d", r.pos)
	}
	r.pos += 2
	for steps := 0; ; steps++ {
		if r.pos >= len(r.b) {
			return nil, formatErr("truncated pickle")
		}
		op := r.b[r.pos]
		r.pos++
		var err error
		switch op {
		case '.': // STOP
			if len(r.stack) != 1 {
				return nil, formatErr("pickle ends with %d values", len(r.stack))
			}
			if _, ok := r.stack[0].(pmark); ok {
				return nil, formatErr("pickle ends on a mark")
			}
			return r.stack[0], nil
		case 0x8a: // LONG1
			n, e := r.bytes(1)
			if e != nil {
				return nil, e
			}
			v, e := r.bytes(int(n[0]))
			if e != nil {
				return nil, e
			}
			err = r.push(plong(v))
		case 'K': // BININT1
			v, e := r.bytes(1)
			if e != nil {
				return nil, e
			}
			err = r.push(int64(v[0]))
		case 'M': // BININT2
			v, e := r.bytes(2)
			if e != nil {
				return nil, e
			}
			err = r.push(int64(binary.LittleEndian.Uint16(v)))
		case 'J': // BININT
			v, e := r.bytes(4)
			if e != nil {
				return nil, e
			}
			err = r.push(int64(int32(binary.LittleEndian.Uint32(v))))
		case 'X': // BINUNICODE
			n, e := r.bytes(4)
			if e != nil {
				return nil, e
			}
			l := binary.LittleEndian.Uint32(n)
			if l > maxStringLen {
				return nil, formatErr("string of %d bytes", l)
			}
			v, e := r.bytes(int(l))
			if e != nil {
				return nil, e
			}
			err = r.push(string(v))
		case 0x88: // NEWTRUE
			err = r.push(true)
		case 0x89: // NEWFALSE
			err = r.push(false)
		case 'N': // NONE
			err = r.push(nil)
		case '}': // EMPTY_DICT
			err = r.push(&pdict{})
		case ']': // EMPTY_LIST
			err = r.push(plist{})
		case ')': // EMPTY_TUPLE
			err = r.push(ptuple{})
		case '(': // MARK
			err = r.push(pmark{})
		case 't': // TUPLE
			items, e := r.popMark()
			if e != nil {
				return nil, e
			}
			err = r.push(ptuple(items))
		case 0x85, 0x86: // TUPLE1, TUPLE2
			n := int(op-0x85) + 1
			items, e := r.popN(n)
			if e != nil {
				return nil, e
			}
			err = r.push(ptuple(items))
		case 'q', 'r': // BINPUT, LONG_BINPUT
			idx, e := r.index(op == 'r')
			if e != nil {
				return nil, e
			}
			if len(r.stack) == 0 {
				return nil, formatErr("put on an empty stack")
			}
			if _, ok := r.memo[idx]; !ok && len(r.memo) >= maxMemo {
				return nil, formatErr("memo too large")
			}
			r.memo[idx] = r.stack[len(r.stack)-1]
		case 'h', 'j': // BINGET, LONG_BINGET
			idx, e := r.index(op == 'j')
			if e != nil {
				return nil, e
			}
			v, ok := r.memo[idx]
			if !ok {
				return nil, formatErr("get of unknown memo %d", idx)
			}
			err = r.push(v)
		case 'c': // GLOBAL
			mod, e := r.line()
			if e != nil {
				return nil, e
			}
			name, e := r.line()
			if e != nil {
				return nil, e
			}
			g := pglobal{mod, name}
			switch g {
			case pglobal{"collections", "OrderedDict"}, pglobal{"torch._utils", "_rebuild_tensor_v2"},
				pglobal{"torch", "FloatStorage"}, pglobal{"torch", "LongStorage"}:
			default:
				return nil, formatErr("global %s.%s not allowed", mod, name)
			}
			err = r.push(g)
		case 'Q': // BINPERSID
			v, e := r.popN(1)
			if e != nil {
				return nil, e
			}
			err = r.persistent(v[0])
		case 'R': // REDUCE
			v, e := r.popN(2)
			if e != nil {
				return nil, e
			}
			err = r.reduce(v[0], v[1])
		case 'b': // BUILD: only the state dict's _metadata attribute, which is ignored
			v, e := r.popN(1)
			if e != nil {
				return nil, e
			}
			if _, ok := v[0].(ptuple); !ok {
				if _, ok := v[0].(*pdict); !ok {
					return nil, formatErr("BUILD state of unexpected type")
				}
			}
			if len(r.stack) == 0 {
				return nil, formatErr("BUILD on an empty stack")
			}
			if _, ok := r.stack[len(r.stack)-1].(*pdict); !ok {
				return nil, formatErr("BUILD on a non-dict")
			}
		case 's': // SETITEM
			v, e := r.popN(2)
			if e != nil {
				return nil, e
			}
			err = r.setItems(v)
		case 'u': // SETITEMS
			items, e := r.popMark()
			if e != nil {
				return nil, e
			}
			err = r.setItems(items)
		case 'e': // APPENDS
			items, e := r.popMark()
			if e != nil {
				return nil, e
			}
			if len(r.stack) == 0 {
				return nil, formatErr("APPENDS on an empty stack")
			}
			l, ok := r.stack[len(r.stack)-1].(plist)
			if !ok {
				return nil, formatErr("APPENDS to a non-list")
			}
			if len(l)+len(items) > maxTensors {
				return nil, formatErr("list too long")
			}
			r.stack[len(r.stack)-1] = append(l, items...)
		default:
			return nil, formatErr("pickle opcode 0x%02x not allowed", op)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (r *pickleReader) bytes(n int) ([]byte, error) {
	if n < 0 || len(r.b)-r.pos < n {
		return nil, formatErr("truncated pickle")
	}
	v := r.b[r.pos : r.pos+n]
	r.pos += n
	return v, nil
}

func (r *pickleReader) index(long bool) (uint32, error) {
	if long {
		v, err := r.bytes(4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(v), nil
	}
	v, err := r.bytes(1)
	if err != nil {
		return 0, err
	}
	return uint32(v[0]), nil
}

// line reads a GLOBAL operand: printable ASCII up to '\n'.
func (r *pickleReader) line() (string, error) {
	for i := r.pos; i < len(r.b) && i-r.pos <= maxStringLen; i++ {
		c := r.b[i]
		if c == '\n' {
			s := string(r.b[r.pos:i])
			r.pos = i + 1
			return s, nil
		}
		if c < 0x20 || c > 0x7e {
			break
		}
	}
	return "", formatErr("bad GLOBAL operand")
}

func (r *pickleReader) push(v any) error {
	if len(r.stack) >= maxStack {
		return formatErr("pickle stack too deep")
	}
	r.stack = append(r.stack, v)
	return nil
}

func (r *pickleReader) popN(n int) ([]any, error) {
	if len(r.stack) < n {
		return nil, formatErr("pickle stack underflow")
	}
	v := append([]any(nil), r.stack[len(r.stack)-n:]...)
	for _, x := range v {
		if _, ok := x.(pmark); ok {
			return nil, formatErr("mark used as a value")
		}
	}
	r.stack = r.stack[:len(r.stack)-n]
	return v, nil
}

func (r *pickleReader) popMark() ([]any, error) {
	for i := len(r.stack) - 1; i >= 0; i-- {
		if _, ok := r.stack[i].(pmark); ok {
			items := append([]any(nil), r.stack[i+1:]...)
			r.stack = r.stack[:i]
			return items, nil
		}
	}
	return nil, formatErr("no mark")
}

func (r *pickleReader) setItems(items []any) error {
	if len(items)%2 != 0 {
		return formatErr("odd number of dict items")
	}
	if len(r.stack) == 0 {
		return formatErr("SETITEMS on an empty stack")
	}
	d, ok := r.stack[len(r.stack)-1].(*pdict)
	if !ok {
		return formatErr("SETITEMS on a non-dict")
	}
	if len(d.keys)+len(items)/2 > maxTensors {
		return formatErr("dict too large")
	}
	for i := 0; i < len(items); i += 2 {
		k, ok := items[i].(string)
		if !ok {
			return formatErr("dict key is not a string")
		}
		if _, dup := d.get(k); dup {
			return formatErr("dict key %q twice", k)
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, items[i+1])
	}
	return nil
}

// persistent resolves ('storage', FloatStorage|LongStorage, key, location, numel, None).
func (r *pickleReader) persistent(id any) error {
	t, ok := id.(ptuple)
	if !ok || len(t) != 6 || t[0] != "storage" || t[5] != nil {
		return formatErr("persistent id is not a storage")
	}
	g, ok := t[1].(pglobal)
	if !ok || (g != pglobal{"torch", "FloatStorage"} && g != pglobal{"torch", "LongStorage"}) {
		return formatErr("storage of unsupported type")
	}
	key, ok := t[2].(string)
	if !ok || key == "" {
		return formatErr("storage key is not a string")
	}
	if _, err := strconv.ParseUint(key, 10, 64); err != nil {
		return formatErr("storage key %q is not decimal", key)
	}
	if _, ok := t[3].(string); !ok {
		return formatErr("storage location is not a string")
	}
	n, ok := t[4].(int64)
	if !ok || n < 1 || n > maxTensorElem {
		return formatErr("storage size %v out of range", t[4])
	}
	float := g.name == "FloatStorage"
	if st, seen := r.storages[key]; seen {
		if st.float != float || st.numel != int(n) {
			return formatErr("storage %q redeclared differently", key)
		}
		return r.push(st)
	}
	if len(r.storages) >= maxTensors {
		return formatErr("too many storages")
	}
	st := &pstorage{key: key, float: float, numel: int(n)}
	r.storages[key] = st
	return r.push(st)
}

// reduce applies one of the two callables the format uses.
func (r *pickleReader) reduce(fn, args any) error {
	g, ok := fn.(pglobal)
	a, ok2 := args.(ptuple)
	if !ok || !ok2 {
		return formatErr("REDUCE of a non-callable")
	}
	switch g {
	case pglobal{"collections", "OrderedDict"}:
		if len(a) != 0 {
			return formatErr("OrderedDict with arguments")
		}
		return r.push(&pdict{})
	case pglobal{"torch._utils", "_rebuild_tensor_v2"}:
		return r.rebuildTensor(a)
	}
	return formatErr("REDUCE of %s.%s", g.module, g.name)
}

// rebuildTensor checks _rebuild_tensor_v2(storage, 0, size, contiguous stride, False, OrderedDict()).
func (r *pickleReader) rebuildTensor(a ptuple) error {
	if len(a) != 6 {
		return formatErr("_rebuild_tensor_v2 with %d arguments", len(a))
	}
	st, ok := a[0].(*pstorage)
	if !ok {
		return formatErr("tensor without a storage")
	}
	if a[1] != int64(0) {
		return formatErr("tensor at a storage offset")
	}
	size, ok1 := a[2].(ptuple)
	stride, ok2 := a[3].(ptuple)
	if !ok1 || !ok2 || len(size) != len(stride) || len(size) > maxDims {
		return formatErr("tensor size/stride malformed")
	}
	shape := make([]int, len(size))
	want := int64(1)
	for i := len(size) - 1; i >= 0; i-- {
		d, ok := size[i].(int64)
		s, ok2 := stride[i].(int64)
		if !ok || !ok2 || d < 1 || d > maxTensorElem {
			return formatErr("tensor dimension out of range")
		}
		if s != want && d != 1 {
			return formatErr("tensor not C-contiguous")
		}
		want *= d
		if want > maxTensorElem {
			return formatErr("tensor too large")
		}
		shape[i] = int(d)
	}
	if a[4] != false {
		return formatErr("tensor requires grad")
	}
	if h, ok := a[5].(*pdict); !ok || len(h.keys) != 0 {
		return formatErr("tensor with backward hooks")
	}
	if !st.float {
		if len(shape) != 0 || st.numel != 1 {
			return formatErr("int64 tensor other than a scalar")
		}
		return r.push(pscalar{})
	}
	return r.push(&ptensor{storage: st, shape: shape})
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrModelFormat, fmt.Sprintf(format, args...))
}
