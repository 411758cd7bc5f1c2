//go:build !linux

package vcf

func adviseHuge(s []int8) {}
