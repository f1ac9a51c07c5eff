// Bundled by scripts/build_assets.sh (esbuild) into static/vendor/vega-interpreter.min.js:
// Vega's expression interpreter, so charts evaluate expressions without `new Function`
// and run under the site's Content-Security-Policy (no 'unsafe-eval').
import { expressionInterpreter } from "vega-interpreter";

window.vegaExpressionInterpreter = expressionInterpreter;
