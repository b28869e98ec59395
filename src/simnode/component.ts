// `sampan server --sim-nodes N`: the simulated kubelets as a controller-manager component.
import type { Component } from '../controllers/manager.js';
import { startSimNodes } from './simnode.js';

export const simNodesComponent: Component = {
  lease: false,
  name: 'simnodes',
  enabled: (c) => c.simNodes > 0,
  async start(ctx) {
    const sim = await startSimNodes(ctx, { count: ctx.config.simNodes });
    return { stop: () => sim.stop() };
  },
};
