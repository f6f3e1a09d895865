/** The promotions engine (pure): the model, the admin input, and `evaluatePromotions`. */
export { evaluatePromotions } from './evaluate.ts';
export { parsePromotionInput, promotionInputModel, type PromotionDefinition, type PromotionInputResult } from './promotion-input.ts';
export { promotionActionModel, promotionConditionsModel } from './promotion-model.ts';
export type * from './promotion.ts';
