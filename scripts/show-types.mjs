// Prints the types of selected declarations as an editor's hover would: `node scripts/show-types.mjs file.ts name...`
import ts from 'typescript'
import path from 'node:path'

const [file, ...names] = process.argv.slice(2)
const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.json')
const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath))
const program = ts.createProgram([path.resolve(file)], config.options)
const checker = program.getTypeChecker()
const source = program.getSourceFile(path.resolve(file))
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias
ts.forEachChild(source, function visit(node) {
  if ((ts.isTypeAliasDeclaration(node) || ts.isVariableDeclaration(node)) && names.includes(node.name.text)) {
    const type = checker.getTypeAtLocation(node.name)
    console.log(`${node.name.text}: ${checker.typeToString(type, undefined, flags)}\n`)
  }
  ts.forEachChild(node, visit)
})
