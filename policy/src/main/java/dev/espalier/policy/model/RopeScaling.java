package dev.espalier.policy.model;

/**
 * Llama 3's frequency-dependent RoPE scaling ({@code rope_type: "llama3"}): long wavelengths are divided by
 * {@code factor}, short ones kept, the band between smoothly interpolated. Formula as in transformers'
 * {@code _compute_llama3_parameters}.
 *
 * @param factor                        divisor for the low frequencies
 * @param lowFreqFactor                 wavelengths above originalMaxPositions / lowFreqFactor are fully scaled
 * @param highFreqFactor                wavelengths below originalMaxPositions / highFreqFactor are kept
 * @param originalMaxPositions          the context length the model was pre-trained with
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {

    public RopeScaling {
        if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalMaxPositions <= 0) {
            throw new IllegalArgumentException("llama3 rope scaling needs factor > 0, 0 < low_freq_factor < "
                    + "high_freq_factor and original_max_position_embeddings > 0, got " + this);
        }
    }

    /** Scales one inverse frequency, in float32 arithmetic like the reference. */
    float scale(float invFreq) {
        float lowFreqWavelen = (float) (originalMaxPositions / lowFreqFactor);
        float highFreqWavelen = (float) (originalMaxPositions / highFreqFactor);
        float wavelen = (float) (2 * Math.PI / invFreq);
        if (wavelen < highFreqWavelen) {
            return invFreq;
        }
        if (wavelen > lowFreqWavelen) {
            return (float) (invFreq / factor);
        }
        float smooth = (float) ((originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
        return (float) ((1 - smooth) * invFreq / factor + smooth * invFreq);
    }
}
