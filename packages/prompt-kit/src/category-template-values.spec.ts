import { describe, expect, it } from 'vitest';
import { CATEGORY_TEMPLATE_VARIABLES, categoryTemplateValues } from './category-template-values.ts';

describe('categoryTemplateValues', () => {
  it('fills every category placeholder, with the language in its own words', () => {
    const values = categoryTemplateValues('en', { id: 'coding', name: 'Coding', description: 'Write code.' });
    expect(values).toEqual({
      language: 'English',
      'category.id': 'coding',
      'category.name': 'Coding',
      'category.description': 'Write code.',
    });
    expect(Object.keys(values).sort()).toEqual([...CATEGORY_TEMPLATE_VARIABLES].sort());
    expect(categoryTemplateValues('ja', { id: 'a', name: 'b', description: 'c' }).language).toBe('日本語');
  });
});
