/** How declared relations are typed: their options as written, and the nullability of to-one handles. */
import { expectTypeOf, test } from 'vitest'
import { defineSchema, t, table, type AnyColumn, type Entity, type Reference, type RelationDef, type Row, type UnloadedHandle } from '../../src/index.js'

const employees = table('employees', {
  id: t.serial().primaryKey(),
  departmentId: t.integer().references(() => departments.id),
  managerId: t.integer().nullable().references((): AnyColumn => employees.id),
})
const departments = table('departments', { id: t.serial().primaryKey() })
const customers = table('customers', {
  id: t.serial().primaryKey(),
  supportRepId: t.integer().nullable().references(() => employees.id),
  accountManagerId: t.integer().references(() => employees.id),
})

const schema = defineSchema({ employees, departments, customers }, ({ oneToMany, manyToOne }) => ({
  employees: {
    department: manyToOne('departments'),
    manager: manyToOne('employees', { backPopulates: 'reports' }),
    reports: oneToMany('employees', { backPopulates: 'manager' }),
    supported: oneToMany('customers', { foreignKey: 'supportRepId', backPopulates: 'supportRep' }),
    managed: oneToMany('customers', { foreignKey: 'accountManagerId' }),
  },
  customers: {
    supportRep: manyToOne('employees', { foreignKey: 'supportRepId', backPopulates: 'supported' }),
    accountManager: manyToOne('employees', { foreignKey: ['accountManagerId'] }),
  },
}))
type S = typeof schema
type Employee = Entity<S, 'employees'>
type Relations = S['$infer']['relations']

test('a relation keeps its options as written; without options they are {}', () => {
  expectTypeOf<Relations['employees']['department']>().toEqualTypeOf<RelationDef<'manyToOne', 'departments', {}>>()
  expectTypeOf<Relations['customers']['accountManager']>().toEqualTypeOf<
    RelationDef<'manyToOne', 'employees', { readonly foreignKey: readonly ['accountManagerId'] }>
  >()
})

test('with several keys to one table, each to-one follows the key it names', () => {
  expectTypeOf<Entity<S, 'customers'>['supportRep']>().toEqualTypeOf<UnloadedHandle<'supportRep', Reference<Employee, true> | null>>()
  expectTypeOf<Entity<S, 'customers'>['accountManager']>().toEqualTypeOf<UnloadedHandle<'accountManager', Reference<Employee, false>>>()
})

test('a self-reference annotated `(): AnyColumn` is nullable as declared and leaves the other to-ones alone', () => {
  expectTypeOf<Employee['manager']>().toEqualTypeOf<UnloadedHandle<'manager', Reference<Employee, true> | null>>()
  expectTypeOf<Employee['department']>().toEqualTypeOf<UnloadedHandle<'department', Reference<Entity<S, 'departments'>, false>>>()
})

test('a schema without relations, with and without options', () => {
  const plain = defineSchema({ departments })
  const snake = defineSchema({ customers }, () => ({}), { casing: 'snake_case' })
  expectTypeOf<Omit<Entity<typeof plain, 'departments'>, 'load' | 'toJSON'>>().toEqualTypeOf<{ id: number }>()
  expectTypeOf<Entity<typeof plain, 'departments'>['load']>().returns.resolves.toHaveProperty('id').toEqualTypeOf<number>()
  expectTypeOf<Row<typeof snake, 'customers'>>().toEqualTypeOf<{ id: number; supportRepId: number | null; accountManagerId: number }>()
  expectTypeOf(snake.casing).toEqualTypeOf<'snake_case'>()
})
