// Every component the controller manager starts, in start order. Add one line per component.
import type { Component } from './manager.js';

export const components: Component[] = [];
