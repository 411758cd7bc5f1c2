package chrom

// Assembler returns the assembler that Run feeds its results to: the plan's
// conditioning, ancestry latent, matching seed and ancestry weight. Results
// computed elsewhere (Job.Run in other processes, read back with
// DecodeResult) and added to it in window order give the same synthetic
// chromosome as Run.
func (p *Plan) Assembler() (*Assembler, error) {
	var asm *Assembler
	var err error
	if p.Options.Conditioning == CondChain {
		asm, err = newChainAssembler(p.NSynth, p.Latent, p.Cohort, p.Mixture, mix(p.Options.Seed, tagAssemble))
	} else {
		asm, err = NewAssembler(p.Options.Conditioning, p.NSynth, p.Latent, mix(p.Options.Seed, tagAssemble))
	}
	if err != nil {
		return nil, err
	}
	asm.SetAncestryWeight(p.Options.AncestryWeight)
	return asm, nil
}
