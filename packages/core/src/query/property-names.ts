/** Rewrites a Kysely expression written with property names into one with SQL column names and the query's table alias. */
import { ColumnNode, OperationNodeTransformer, ParensNode, RawNode, ReferenceNode, TableNode, type Expression, type OperationNode, type PrimitiveValueListNode, type SqlBool, type ValueNode } from 'kysely'
import { RelataError } from '../errors.js'
import type { TableModel } from '../schema/model.js'

class PropertyNameTransformer extends OperationNodeTransformer {
  constructor(
    private readonly table: TableModel,
    private readonly alias: string,
  ) {
    super()
  }

  protected override transformColumn(node: ColumnNode): ColumnNode {
    const name = node.column.name
    const column = this.table.columnsByProperty.get(name)
    if (column === undefined) {
      throw new RelataError(`'${name}' is not a column of '${this.table.key}' (columns: ${[...this.table.columnsByProperty.keys()].join(', ')})`)
    }
    return ColumnNode.create(column.sqlName)
  }

  protected override transformReference(node: ReferenceNode): ReferenceNode {
    const column = this.transformNode(node.column)
    // Unqualified references are qualified, so that they stay unambiguous next to joined tables.
    if (node.table === undefined) return ReferenceNode.create(column as ColumnNode, TableNode.create(this.alias))
    const tableName = node.table.table.identifier.name
    if (tableName !== this.table.key) {
      throw new RelataError(`'${tableName}.${String((node.column as ColumnNode).column?.name)}': only columns of '${this.table.key}' can be referenced here`)
    }
    return ReferenceNode.create(column as ColumnNode, TableNode.create(this.alias))
  }

  // An undefined value would be sent as NULL: a comparison that silently matches nothing.
  protected override transformValue(node: ValueNode): ValueNode {
    if (node.value === undefined) throw new RelataError(`where((eb) => ...) on '${this.table.key}': a value is undefined; use null (with 'is') to compare with NULL`)
    return super.transformValue(node)
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    if (node.values.includes(undefined)) throw new RelataError(`where((eb) => ...) on '${this.table.key}': a list of values holds undefined`)
    return super.transformPrimitiveValueList(node)
  }
}

/** An expression over an already-built operation node. */
class NodeExpression implements Expression<SqlBool> {
  constructor(private readonly node: OperationNode) {}
  get expressionType(): SqlBool | undefined {
    return undefined
  }
  toOperationNode(): OperationNode {
    return this.node
  }
}

export function renameToSql(expression: Expression<SqlBool>, table: TableModel, alias: string): Expression<SqlBool> {
  const node = new PropertyNameTransformer(table, alias).transformNode(expression.toOperationNode())
  // Raw SQL (`sql\`a or b\``) is ANDed with other conditions and the relation's key: in parentheses,
  // or `a or b and key` would match rows of other parents. Kysely's own builders parenthesise already.
  return new NodeExpression(RawNode.is(node) ? ParensNode.create(node) : node)
}

