#pragma once
// One self-contained HTML page: headings, paragraphs, tables and inline SVG figures, with plain CSS and no
// external resource (no script, font or image is fetched), so the file opens anywhere, offline. Text is
// escaped; figures are inserted as they are (they come from xddp's own SVG writers) and scale down to the
// page width.
//
//   xddp::report::html_document page("xddp report");
//   page.heading("Model");
//   page.table({"layer", "MACs"}, {{"conv1", "1204224"}});
//   page.figure(efficiency_svg(report), "State-space efficiency per layer", "efficiency");
//   xddp::io::write_atomically("report.html", [&](std::ostream& os) { os << page.str(); });

#include <cstddef>
#include <string>
#include <vector>

#include "xddp/io/svg.hpp"

namespace xddp::report {

class html_document {
public:
    explicit html_document(std::string title) : title_(std::move(title)) {}

    // A section heading (level 2) or a sub-heading (level 3); `id` makes it a link target.
    void heading(const std::string& text, int level = 2, const std::string& id = "") {
        const std::string tag = level <= 2 ? "h2" : "h3";
        body_ += "<" + tag + (id.empty() ? "" : " id=\"" + escape(id) + "\"") + ">" + escape(text) + "</" + tag + ">\n";
        if (level <= 2 && !id.empty()) contents_.emplace_back(id, text);
    }

    void paragraph(const std::string& text, const std::string& css_class = "") {
        body_ += "<p" + (css_class.empty() ? "" : " class=\"" + escape(css_class) + "\"") + ">" + escape(text) + "</p>\n";
    }

    // A table; cells that look like numbers are right-aligned.
    void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
               const std::string& caption = "") {
        body_ += "<div class=\"table\"><table>\n";
        if (!caption.empty()) body_ += "<caption>" + escape(caption) + "</caption>\n";
        body_ += "<thead><tr>";
        for (const auto& h : header) body_ += "<th>" + escape(h) + "</th>";
        body_ += "</tr></thead>\n<tbody>\n";
        for (const auto& r : rows) {
            body_ += "<tr>";
            for (const auto& c : r) body_ += (numeric(c) ? "<td class=\"n\">" : "<td>") + escape(c) + "</td>";
            body_ += "</tr>\n";
        }
        body_ += "</tbody></table></div>\n";
    }

    // An inline SVG figure with its caption; `file` (optional) names the standalone copy beside the page.
    void figure(const std::string& svg, const std::string& caption, const std::string& file = "") {
        body_ += "<figure>\n" + svg + "<figcaption>" + escape(caption);
        if (!file.empty()) body_ += " <a href=\"" + escape(file) + "\">(SVG)</a>";
        body_ += "</figcaption>\n</figure>\n";
    }

    // A bulleted list of text items.
    void list(const std::vector<std::string>& items, const std::string& css_class = "") {
        body_ += "<ul" + (css_class.empty() ? "" : " class=\"" + escape(css_class) + "\"") + ">\n";
        for (const auto& i : items) body_ += "<li>" + escape(i) + "</li>\n";
        body_ += "</ul>\n";
    }

    // A list of links to files beside the page (the JSON/CSV tables).
    void links(const std::vector<std::pair<std::string, std::string>>& files) {
        body_ += "<ul class=\"files\">\n";
        for (const auto& [href, text] : files)
            body_ += "<li><a href=\"" + escape(href) + "\">" + escape(text) + "</a></li>\n";
        body_ += "</ul>\n";
    }

    std::string str() const {
        std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                           escape(title_) + "</title>\n<style>\n" + style() + "</style>\n</head>\n<body>\n<main>\n<h1>" +
                           escape(title_) + "</h1>\n";
        if (!contents_.empty()) {
            page += "<nav><ol>\n";
            for (const auto& [id, text] : contents_) page += "<li><a href=\"#" + escape(id) + "\">" + escape(text) + "</a></li>\n";
            page += "</ol></nav>\n";
        }
        return page + body_ + "</main>\n</body>\n</html>\n";
    }

    static std::string escape(const std::string& s) { return xddp::detail::svg_escape(s); }

private:
    static bool numeric(const std::string& s) {
        if (s.empty()) return false;
        const char c = s[0] == '-' || s[0] == '+' ? (s.size() > 1 ? s[1] : 'x') : s[0];
        return (c >= '0' && c <= '9') || s == "n/a" || s == "inf";
    }

    static std::string style() {
        return "body{margin:0;background:#f6f6f4;color:#222;font:15px/1.45 'DejaVu Sans',Helvetica,Arial,sans-serif}\n"
               "main{max-width:1100px;margin:0 auto;padding:16px 24px 48px;background:#fff}\n"
               "h1{font-size:26px;margin:8px 0 4px}h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid #ddd}\n"
               "h3{font-size:17px;margin:20px 0 6px}\n"
               "nav ol{columns:2;margin:8px 0 0;padding-left:22px}\n"
               ".table{overflow-x:auto;max-width:100%}\n"
               "table{border-collapse:collapse;margin:8px 0;font-size:13px}\n"
               "caption{text-align:left;font-weight:bold;padding:4px 0}\n"
               "th,td{border-bottom:1px solid #e4e4e4;padding:3px 10px;text-align:left;white-space:nowrap}\n"
               "th{background:#f0f0ee}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
               "figure{margin:14px 0}figure svg{display:block;max-width:100%;height:auto}\n"
               "figcaption{font-size:13px;color:#555;margin-top:4px}\n"
               "ul.summary{font-size:16px;background:#eef4fb;padding:8px 12px 8px 32px;border-left:4px solid #1f77b4}\n"
               ".note{color:#666;font-size:13px}ul.files{columns:3;font-size:13px}\n";
    }

    std::string title_, body_;
    std::vector<std::pair<std::string, std::string>> contents_;
};

}  // namespace xddp::report
