export const staff = { id: 'op', actingAs: 'kpatel' };
export const otherStaff = { id: 'op2', actingAs: 'mdelgado' };
export const user = { id: 'op3', actingAs: 'jsmith' };
