package com.guestops.gateway.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Puts {@link ContractValidation#FILTER} into REST Assured's global filters before every
 * {@code @QuarkusTest} method (registered in {@code META-INF/services}), so no test class has to
 * remember it. It runs in the test's class loader, where the test's REST Assured lives.
 */
public class ContractValidationCallback implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (!RestAssured.filters().contains(ContractValidation.FILTER)) {
            RestAssured.filters(ContractValidation.FILTER);
        }
    }
}
