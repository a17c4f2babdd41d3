package com.guestops.gateway.host.vim25;

/** A vim25 managed object reference: {@code <obj type="GuestProcessManager">guestOperationsProcessManager</obj>}. */
record Moref(String type, String value) {

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
