package dev.espalier.policy.model;

/** The model produced NaN or infinite values where a result needs finite ones; nothing computed from them is kept. */
public final class NonFiniteValuesException extends ArithmeticException {

    public NonFiniteValuesException(String what) {
        super(what + " is not finite (NaN or infinite): the weights, the adapter or the settings drove the model "
                + "out of range");
    }
}
