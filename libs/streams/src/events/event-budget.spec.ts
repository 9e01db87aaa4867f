import { EventBudget } from './event-budget.js';

describe('EventBudget', () => {
  it('allows a burst of perSecond, then refills at perSecond', () => {
    let now = 0;
    const budget = new EventBudget(100, () => now);

    const burst = Array.from({ length: 150 }, () => budget.take()).filter(Boolean).length;
    now += 500;
    const refilled = Array.from({ length: 150 }, () => budget.take()).filter(Boolean).length;
    now += 10_000;
    const full = Array.from({ length: 150 }, () => budget.take()).filter(Boolean).length;

    expect([burst, refilled, full]).toEqual([100, 50, 100]);
  });
});
