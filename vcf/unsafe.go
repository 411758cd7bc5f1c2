package vcf

import "unsafe"

// asBytes views an int8 slice as bytes (same size and layout) so the GT fast
// path can store several decoded values with one write.
func asBytes(s []int8) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
